import { expect, test, type Page } from "@playwright/test";
import { addToCart, detailsAsGuest, expectAccessible, logIn, payAsGuest, twoOfStore } from "./shop";

// Issue 20: a store is told of a paid order, ships it in parts with tracking (on a phone the rest in a second
// parcel; on a desktop the unit it cannot send is cancelled and refunded), it is delivered, and a unit that came
// back broken is refunded and restocked, then the shopper returns another unit (asked, approved, sent back,
// received, refunded), while the shopper follows every step on the order page and in the emails.

/** From an order's page: its packing slip with the label (the number as a barcode, the address), then back. */
async function printSlip(page: Page, number: string, project: string) {
  await page.getByRole("link", { name: "Print packing slip" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Packing slip" })).toBeVisible();
  await expect(page.getByRole("img", { name: `Barcode of order ${number}` })).toBeVisible();
  await expect(page.getByRole("article", { name: `Order ${number}` })).toContainText("Ada Parcels");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/packing-slip-${project}.png`, fullPage: true });
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: `test-results/packing-slip-print-${project}.png`, fullPage: true });
  await page.emulateMedia({ media: "screen" });
  await page.goBack();
}

/** The shopper says the order arrived, on its page. */
async function shopperConfirms(shopper: Page, orderPage: string, number: string) {
  await shopper.goto(orderPage);
  await shopper.getByRole("button", { name: `I received order ${number}` }).click();
  await expect(shopper.getByText(`Thank you: order ${number} is marked received.`)).toBeVisible();
  await expectAccessible(shopper);
}

test("a store ships an order in parts, cancels, refunds and takes back what it must, and the shopper follows each step", async ({ page, browser, request }, testInfo) => {
  // The longest journey (two browsers, a dozen steps, each page checked by axe): about 50 s on this machine, so twice
  // the default limit, not a retry, absorbs a slow moment.
  test.setTimeout(120_000);
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
  // The store's return window shows on its products' pages and on its store page.
  const returns = /Returns accepted within \d+ days of delivery\.|This store does not accept returns\./;
  await expect(shopper.getByText(returns)).toBeVisible();
  await expectAccessible(shopper);
  await shopper.goto(storefront);
  await expect(shopper.getByText(returns)).toBeVisible();
  const email = `parcels-${testInfo.project.name}-${Date.now()}@example.com`;
  const group = await payAsGuest(shopper, email, "Ada Parcels");
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
  // Placed today: found from today, not up to yesterday. "Today" is the shop's (its clock may have been moved
  // forward by an earlier journey): the day the list shows the order placed on.
  const placed = ((await page.getByRole("row", { name: new RegExp(number) }).textContent()) ?? "").match(/\d{4}-\d{2}-\d{2}/)?.[0];
  const day = (offset: number) => new Date(Date.parse(`${placed}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  const search = page.getByRole("search", { name: "Search orders" });
  await search.getByLabel("Placed until").fill(day(-1));
  await search.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("matches your search and dates")).toBeVisible();
  await search.getByLabel("Placed until").fill("");
  await search.getByLabel("Placed from").fill(day(0));
  await search.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("link", { name: number })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: number }).click();

  // The order: the shopper's name and address, never the email.
  await expect(page.getByRole("heading", { level: 1, name: `Order ${number}` })).toBeVisible();
  await expect(page.getByRole("region", { name: "Ship to" })).toContainText("Ada Parcels");
  await expect(page.getByRole("region", { name: "Ship to" })).toContainText("Phone: +1 415 555 0100");
  // The platform's commission, frozen at the sale.
  await expect(page.getByText("Bazaar's commission (10 %, set at the sale)")).toBeVisible();
  await expect(page.locator("main")).not.toContainText(email);
  await expectAccessible(page);
  // First parcel: the first product only, with UPS.
  const form = page.getByRole("form", { name: "Ship items" });
  await form.getByLabel(new RegExp(`^${escaped(second.title)}`)).fill("0");
  await form.getByLabel("Carrier").selectOption({ label: "UPS" });
  await form.getByLabel("Tracking number").fill("1Z999AA10123456784");
  await form.getByRole("button", { name: "Ship and email the shopper" }).click();
  await expect(page.getByRole("status")).toContainText("the rest is still to ship");
  await expect(page.getByText("Partially shipped").first()).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-order-${testInfo.project.name}.png`, fullPage: true });

  await printSlip(page, number, testInfo.project.name);

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

  // A message round trip: the shopper's holds a phone number and is flagged to both sides; the store answers and
  // keeps an internal note the shopper never reads.
  await shopper.goto(orderPage);
  await shopper.getByRole("link", { name: new RegExp(`^Message .* about order ${number}$`) }).click();
  await expect(shopper.getByRole("heading", { level: 1, name: `Messages about order ${number}` })).toBeVisible();
  await shopper.getByLabel("Your message").fill("Can the rest come faster? Call me on 555 123 4567.");
  await shopper.getByRole("button", { name: "Send the message" }).click();
  const shopperThread = shopper.getByRole("list", { name: "Messages" });
  await expect(shopperThread).toContainText("This message holds a phone number");
  await expectAccessible(shopper);
  await page.reload();
  const messages = page.getByRole("region", { name: "Messages" });
  await expect(messages).toContainText("Call me on 555 123 4567");
  await expect(messages).toContainText("This message holds a phone number");
  await messages.getByLabel("Message or note").fill("It leaves today with DHL.");
  await messages.getByRole("button", { name: "Send to the shopper" }).click();
  await expect(page.getByRole("status")).toContainText("Message sent");
  await page.getByRole("region", { name: "Messages" }).getByLabel("Message or note").fill("Asked for speed: pack first.");
  await page.getByRole("region", { name: "Messages" }).getByRole("button", { name: "Save as an internal note" }).click();
  await expect(page.getByRole("status")).toContainText("Internal note saved");
  await expect(page.getByRole("region", { name: "Messages" })).toContainText("Internal note");
  await expectAccessible(page);
  await shopper.reload();
  await expect(shopperThread).toContainText("It leaves today with DHL.");
  await expect(shopper.locator("main")).not.toContainText("pack first");

  if (phone) {
    // The rest with DHL; then it arrives, and the shopper says so.
    await page.getByRole("form", { name: "Ship items" }).getByLabel("Carrier").selectOption({ label: "DHL" });
    await page.getByLabel("Tracking number").fill("JD014600006281");
    await page.getByRole("button", { name: "Ship and email the shopper" }).click();
    await expect(page.getByRole("status")).toContainText("everything has shipped");
    await expect(page.getByRole("region", { name: "Shipments" }).getByRole("listitem")).toHaveCount(2);
    await shopperConfirms(shopper, orderPage, number);
    await page.reload();
    await expect(page.getByRole("list").filter({ hasText: "Receipt confirmed by the shopper" })).toBeVisible();
  } else {
    // The second product cannot be sent: its unit is cancelled and refunded, and what shipped is all there is.
    const cancel = page.getByRole("form", { name: "Cancel items" });
    await cancel.getByLabel(new RegExp(`^${escaped(second.title)}`)).fill("1");
    await cancel.getByLabel("Reason").selectOption({ label: "Out of stock" });
    await cancel.getByRole("button", { name: "Cancel and refund these units" }).click();
    await expect(page.getByRole("status")).toContainText("Units cancelled and refunded");
    await expect(page.getByRole("list").filter({ hasText: "Cancelled by the seller: 1 ×" })).toBeVisible();
    await expect(page.getByRole("form", { name: "Ship items" })).toHaveCount(0);
    await page.getByRole("button", { name: "Mark delivered" }).click();
    await expect(page.getByRole("status")).toContainText("Marked delivered");
  }
  await expectAccessible(page);

  // One unit of the first product arrived broken and came back: refunded, and back in stock.
  const refund = page.getByRole("form", { name: "Refund" });
  await refund.getByLabel(new RegExp(`^${escaped(first.title)}`)).fill("1");
  await refund.getByLabel("Reason").selectOption({ label: "Arrived damaged" });
  await refund.getByLabel("Put the refunded units back in stock (they came back unused)").check();
  await refund.getByRole("button", { name: "Refund", exact: true }).click();
  await expect(page.getByRole("status")).toContainText("Refund made");
  await expect(page.getByRole("list").filter({ hasText: "Reason: Arrived damaged." })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-order-refunded-${testInfo.project.name}.png`, fullPage: true });

  await shopper.goto(orderPage);
  await expect(shopper.getByText("Delivered").first()).toBeVisible();
  await expect(shopper.getByText("Refunded").first()).toBeVisible();
  await expect(shopper.getByRole("button", { name: `I received order ${number}` })).toHaveCount(0);
  await expect(shopper.getByRole("link", { name: "Track 1Z999AA10123456784" })).toBeVisible();
  await expect(async () => {
    await shopper.goto("/dev/mailbox");
    const mails = shopper.getByRole("article", { name: `A refund for your Bazaar order ${number}` });
    await expect(mails.filter({ hasText: "Arrived damaged" })).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });

  // The shopper sends the other unit back: asked, approved, sent with tracking, received, then refunded and
  // restocked (desktop) or replaced from stock (phone: an exchange).
  await shopper.goto(orderPage);
  await shopper.getByRole("link", { name: `Return items of order ${number}` }).click();
  await expect(shopper.getByRole("heading", { level: 1, name: `Return items of order ${number}` })).toBeVisible();
  const ask = shopper.getByRole("form", { name: "Send items back" });
  await ask.getByLabel(new RegExp(`^${escaped(first.title)}`)).fill("1");
  await ask.getByLabel("Why are you sending it back?").selectOption({ label: "It arrived damaged" });
  await ask.getByLabel("Anything the store should know (optional)").fill("The box was crushed.");
  if (phone) await ask.getByLabel("A replacement (damaged or wrong items)").check();
  await ask.getByRole("button", { name: "Ask to return these units" }).click();
  await expect(shopper.getByRole("status")).toContainText("Return requested");
  await expectAccessible(shopper);

  await page.reload();
  const returnsCard = page.getByRole("region", { name: "Returns" });
  await expect(returnsCard).toContainText("The shopper wrote: The box was crushed.");
  await returnsCard.getByRole("button", { name: "Approve the return" }).click();
  await expect(page.getByRole("status")).toContainText("Return approved");

  await shopper.reload();
  await shopper.getByLabel("Carrier").selectOption({ label: "USPS" });
  await shopper.getByLabel("Tracking number (optional)").fill("9400 1000 0000 0000 0000 00");
  await shopper.getByRole("button", { name: "Tell the store it is on its way" }).click();
  await expect(shopper.getByRole("status")).toContainText("on its way");
  await expectAccessible(shopper);
  await shopper.screenshot({ path: `test-results/shopper-return-${testInfo.project.name}.png`, fullPage: true });

  await page.reload();
  await page.getByRole("button", { name: "Mark the return received" }).click();
  await expect(page.getByRole("status")).toContainText("Return received");
  if (phone) {
    await expect(page.getByRole("region", { name: "Returns" })).toContainText("Asks for a replacement instead of a refund.");
    await page.getByLabel("Replacement carrier").selectOption({ label: "FedEx" });
    await page.getByLabel("Replacement tracking number").fill("7777 7777 7777");
    await page.getByRole("button", { name: "Send the replacement" }).click();
    await expect(page.getByRole("status")).toContainText("Replacement sent");
    await expect(page.getByRole("region", { name: "Returns" })).toContainText("Replacement sent with FedEx 7777 7777 7777");
  } else {
    await page.getByRole("button", { name: "Refund the returned units" }).click();
    await expect(page.getByRole("status")).toContainText("Refund made");
    await expect(page.getByRole("region", { name: "Returns" })).toContainText("Return refunded");
  }
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-order-returned-${testInfo.project.name}.png`, fullPage: true });
  // The stock screen lists the returned units, or the replacement's.
  await page.goto("/seller/stock");
  const movements = page.getByRole("table", { name: "Recent stock movements, newest first" });
  await expect(movements).toContainText(phone ? "Replacement sent" : "Returned");
  await expectAccessible(page);

  await expect(async () => {
    await shopper.goto("/dev/mailbox");
    const mails = phone
      ? shopper.getByRole("article", { name: new RegExp(`^A return for order ${number}: the store sent a replacement`) })
      : shopper.getByRole("article", { name: `A refund for your Bazaar order ${number}` }).filter({ hasText: "Sent back by the shopper" });
    await expect(mails).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  if (phone) {
    await shopper.goto(orderPage);
    await shopper.getByRole("link", { name: `Return items of order ${number}` }).click();
    await expect(shopper.getByRole("link", { name: "Track the replacement" })).toHaveAttribute("href", /fedex\.com.*777777777777/);
    await expectAccessible(shopper);
  }
  await guest.close();

  // An admin reads the flagged message among every store's.
  const adminContext = await browser.newContext({ baseURL: new URL(page.url()).origin, viewport: page.viewportSize() });
  const admin = await adminContext.newPage();
  await logIn(admin, "admin@demo.bazaar.test", "demo-pass-2026");
  await admin.goto("/admin");
  await admin.getByRole("link", { name: "Flagged messages (contact details or links)" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "Flagged messages" })).toBeVisible();
  await admin.getByRole("link", { name: `Order ${number}` }).first().click();
  await expect(admin.getByRole("heading", { level: 1, name: `Messages of order ${number}` })).toBeVisible();
  await expect(admin.getByRole("main")).toContainText("Asked for speed: pack first.");
  await expectAccessible(admin);
  await adminContext.close();
});

test("a store that accepts its orders accepts one paid with its own promo code, then pauses the code", async ({ page, browser, request }, testInfo) => {
  const phone = testInfo.project.name === "phone";
  await logIn(page, phone ? "seller16@demo.bazaar.test" : "seller15@demo.bazaar.test", "demo-pass-2026");
  // The store asks to accept each order, and makes a code of its own.
  await page.goto("/seller/settings");
  await page.getByLabel("Accept each new order before shipping it").check();
  await page.getByRole("button", { name: "Save order settings" }).click();
  await expect(page.getByRole("status")).toContainText("Order settings saved");
  await page.goto("/seller/promotions");
  await expect(page.getByRole("heading", { level: 1, name: "Promotions" })).toBeVisible();
  const code = `SPRING${testInfo.project.name.toUpperCase()}${Date.now() % 100000}`;
  const form = page.getByRole("form", { name: "New code" });
  await form.getByLabel("Code").fill("x");
  await form.getByRole("button", { name: "Create code" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Please correct these fields" })).toBeVisible();
  await expectAccessible(page);
  await form.getByLabel("Code").fill(code.toLowerCase());
  await form.getByLabel("Discount type").selectOption({ label: "Percentage off" });
  await form.getByLabel("Discount (percent or amount)").fill("15");
  await form.getByLabel("Uses per customer (optional)").fill("1");
  await form.getByRole("button", { name: "Create code" }).click();
  await expect(page.getByRole("status")).toContainText(`Code ${code} created.`);
  const row = page.getByRole("row").filter({ hasText: code });
  await expect(row).toContainText("Active");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-promotions-${testInfo.project.name}.png`, fullPage: true });

  // A guest buys from the store with the code.
  if (phone) await page.getByRole("navigation", { name: "Seller portal" }).getByText("Menu").click();
  const storefront = (await page.getByRole("link", { name: "View your storefront" }).first().getAttribute("href")) ?? "";
  const [item] = await twoOfStore(request, storefront.replace("/store/", ""));
  const guest = await browser.newContext({ baseURL: new URL(page.url()).origin, viewport: page.viewportSize() });
  const shopper = await guest.newPage();
  await addToCart(shopper, item, 1, 1);
  const number = `${await payAsGuest(shopper, `spring-${Date.now()}@example.com`, "Ada Parcels", code)}-1`;

  // The order waits under "To accept"; accepted, it can ship.
  await page.goto("/seller/orders?tab=to-accept");
  await page.getByRole("link", { name: number }).click();
  await expect(page.getByRole("region", { name: "Accept this order" })).toContainText("it is cancelled and the shopper refunded");
  await expect(page.getByText("Discount (promo code)")).toBeVisible();
  await expect(page.getByRole("form", { name: "Ship items" })).toHaveCount(0);
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-order-to-accept-${testInfo.project.name}.png`, fullPage: true });
  await page.getByRole("button", { name: `Accept order ${number}` }).click();
  await expect(page.getByRole("status")).toContainText("Order accepted");
  await expect(page.getByRole("form", { name: "Ship items" })).toBeVisible();

  // The code counts its use; paused, checkout refuses it.
  await page.goto("/seller/promotions");
  await expect(row.getByRole("cell").nth(2)).toHaveText("1");
  await row.getByRole("button", { name: `Pause ${code}` }).click();
  await expect(page.getByRole("status")).toContainText(`Code ${code} paused.`);
  await expect(row).toContainText("Paused");
  await addToCart(shopper, item, 1, 1);
  await detailsAsGuest(shopper, `spring-${Date.now()}@example.com`, "Ada Again");
  await shopper.getByRole("textbox", { name: "Promo code" }).fill(code);
  await shopper.getByRole("button", { name: "Apply code" }).click();
  await expect(shopper.getByRole("alert").filter({ hasText: `The code ${code} is paused` }).first()).toBeVisible();
  await guest.close();
  // Back as it was for the next run.
  await page.goto("/seller/settings");
  await page.getByLabel("Accept each new order before shipping it").uncheck();
  await page.getByRole("button", { name: "Save order settings" }).click();
});

/** `text` as a regular expression matching it literally. */
function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
