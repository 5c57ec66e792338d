import { expect, test, type APIRequestContext } from "@playwright/test";
import { addToCart, expectAccessible, logIn, type Pick } from "./shop";

// Issue 20: a store is told of a paid order, ships it in two parcels with tracking and marks it delivered, while
// the shopper follows every parcel on the order page and in the emails.

/** Two products of the store `slug` with at least 3 units of their first variant in stock, through the public API. */
async function twoOfStore(request: APIRequestContext, slug: string): Promise<[Pick, Pick]> {
  const list = await (await request.get(`/api/v1/products/search?seller=${slug}&in_stock=1&per_page=40`)).json();
  const picks: Pick[] = [];
  for (const r of list.results) {
    const p = await (await request.get(`/api/v1/products/${r.id}`)).json();
    const first = p.variants.find((v: { available: number }) => v.available >= 3);
    if (!first || p.seller.slug !== slug) continue;
    picks.push({ url: r.url, title: r.name, seller: p.seller.name, available: first.available });
    if (picks.length === 2) return [picks[0], picks[1]];
  }
  throw new Error(`the store ${slug} has no two products in stock`);
}

test("a store ships an order in two parcels and the shopper follows each", async ({ page, browser, request }, testInfo) => {
  const phone = testInfo.project.name === "phone";
  await logIn(page, phone ? "seller14@demo.bazaar.test" : "seller13@demo.bazaar.test", "demo-pass-2026");
  // At phone width the portal's navigation is behind its menu button.
  const openMenu = async () => {
    if (phone) await page.getByRole("navigation", { name: "Seller portal" }).getByText("Menu").click();
  };
  await page.goto("/seller");
  await openMenu();
  const storefront = (await page.getByRole("link", { name: "View your storefront" }).first().getAttribute("href")) ?? "";
  const [first, second] = await twoOfStore(request, storefront.replace("/store/", ""));

  // A guest buys two of the first product and one of the second, and pays.
  const guest = await browser.newContext({ baseURL: new URL(page.url()).origin, viewport: page.viewportSize() });
  const shopper = await guest.newPage();
  await addToCart(shopper, first, 2, 2);
  await addToCart(shopper, second, 1, 3);
  await shopper.goto("/checkout");
  const email = `parcels-${testInfo.project.name}-${Date.now()}@example.com`;
  await shopper.getByLabel("Email").fill(email);
  await shopper.getByLabel("Full name").fill("Ada Parcels");
  await shopper.getByLabel("Street address").fill("1 Market Street");
  await shopper.getByLabel("City").fill("San Francisco");
  await shopper.getByLabel("Postal code").fill("94105");
  await shopper.getByLabel("Country").selectOption("US");
  await shopper.getByRole("button", { name: "Continue to review" }).click();
  await shopper.getByRole("button", { name: /^Pay \$/ }).click();
  await shopper.getByLabel("Card number").fill("4242 4242 4242 4242");
  await shopper.getByRole("button", { name: /^Pay \$/ }).click();
  await expect(shopper.getByRole("heading", { name: "Thank you! Your order is confirmed." })).toBeVisible();
  const group = ((await shopper.getByRole("heading", { level: 1 }).textContent()) ?? "").replace("Order ", "");
  const number = `${group}-1`;
  const orderPage = shopper.url();

  // The store: told by email, the order under "To ship" on the overview and counted in the navigation.
  await expect(async () => {
    await page.goto("/dev/mailbox");
    await expect(page.getByRole("article", { name: new RegExp(`^New order ${number} — 3 items, ship by `) })).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await page.goto("/seller");
  const toShip = page.getByRole("region", { name: /^To ship/ });
  await expect(toShip).toContainText("Ada Parcels");
  await openMenu();
  await expect(page.getByRole("link", { name: /^Orders \d+ to ship$/ })).toBeVisible();
  await expectAccessible(page);
  await toShip.getByRole("link", { name: "All orders to ship" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Orders" })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-orders-${testInfo.project.name}.png`, fullPage: true });
  // Ticked orders print together.
  await page.getByRole("checkbox", { name: `Select ${number}` }).check();
  await page.getByRole("button", { name: "Print packing slips of the ticked orders" }).click();
  await expect(page.getByRole("article", { name: `Order ${number}` })).toBeVisible();
  await page.goBack();
  await page.getByRole("link", { name: number }).click();

  // The order: the shopper's name and address, never the email.
  await expect(page.getByRole("heading", { level: 1, name: `Order ${number}` })).toBeVisible();
  await expect(page.getByRole("region", { name: "Ship to" })).toContainText("Ada Parcels");
  await expect(page.locator("main")).not.toContainText(email);
  await expectAccessible(page);
  // First parcel: the first product only, with UPS.
  const form = page.getByRole("form", { name: "Ship items" });
  await form.getByLabel(new RegExp(`^${second.title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`)).fill("0");
  await form.getByLabel("Carrier").selectOption({ label: "UPS" });
  await form.getByLabel("Tracking number").fill("1Z999AA10123456784");
  await form.getByRole("button", { name: "Ship and email the shopper" }).click();
  await expect(page.getByRole("status")).toContainText("the rest is still to ship");
  await expect(page.getByText("Partially shipped").first()).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-order-${testInfo.project.name}.png`, fullPage: true });

  // The packing slip with its label: the number as a barcode, the address, what is left to pack.
  await page.getByRole("link", { name: "Print packing slip" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Packing slip" })).toBeVisible();
  await expect(page.getByRole("img", { name: `Barcode of order ${number}` })).toBeVisible();
  await expect(page.getByRole("article", { name: `Order ${number}` })).toContainText("Ada Parcels");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/packing-slip-${testInfo.project.name}.png`, fullPage: true });
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: `test-results/packing-slip-print-${testInfo.project.name}.png`, fullPage: true });
  await page.emulateMedia({ media: "screen" });
  await page.goBack();

  // The shopper sees the parcel with its tracking link, and the email.
  await shopper.goto(orderPage);
  await expect(shopper.getByText("Partially shipped").first()).toBeVisible();
  await expect(shopper.getByRole("link", { name: "Track 1Z999AA10123456784" })).toHaveAttribute(
    "href",
    "https://www.ups.com/track?tracknum=1Z999AA10123456784",
  );
  await expectAccessible(shopper);
  await expect(async () => {
    await shopper.goto("/dev/mailbox");
    await expect(shopper.getByRole("article", { name: `Your Bazaar order ${number} has partly shipped` })).toContainText("ups.com/track", { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });

  // The rest with DHL, then delivered.
  await page.getByRole("form", { name: "Ship items" }).getByLabel("Carrier").selectOption({ label: "DHL" });
  await page.getByLabel("Tracking number").fill("JD014600006281");
  await page.getByRole("button", { name: "Ship and email the shopper" }).click();
  await expect(page.getByRole("status")).toContainText("everything has shipped");
  await page.getByRole("button", { name: "Mark delivered" }).click();
  await expect(page.getByRole("status")).toContainText("Marked delivered");
  await expect(page.getByRole("region", { name: "Shipments" }).getByRole("listitem")).toHaveCount(2);
  await expectAccessible(page);

  await shopper.goto(orderPage);
  await expect(shopper.getByText("Delivered").first()).toBeVisible();
  await expect(shopper.getByRole("link", { name: "Track JD014600006281" })).toBeVisible();
  await guest.close();
});
