import { expect, test, type Page } from "@playwright/test";
import { addToCart, expectAccessible, registerAndLogIn, type Pick } from "./shop";
import type { APIRequestContext } from "@playwright/test";

/** A product with one variant and a few units: buying all of them is buying the last units. */
async function fewLeft(request: APIRequestContext): Promise<Pick> {
  const list = await (await request.get("/api/v1/products/search?per_page=100")).json();
  for (const r of list.results) {
    const p = await (await request.get(`/api/v1/products/${r.id}`)).json();
    if (p.variants.length === 1 && p.variants[0].available >= 1 && p.variants[0].available <= 20) {
      return { url: r.url, title: r.name, seller: p.seller.name, available: p.variants[0].available };
    }
  }
  throw new Error("the seeded catalog has no single-variant product with a few units");
}

// What trying the shop as a new shopper found (issue 10), clicked through as a person would.

async function toReview(page: Page, email: string) {
  await page.goto("/checkout");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Full name").fill("Lin Shopper");
  await page.getByLabel("Street address").fill("1 Market Street");
  await page.getByLabel("City").fill("San Francisco");
  await page.getByLabel("Postal code").fill("94105");
  await page.getByLabel("Country").selectOption("US");
  await page.getByRole("button", { name: "Continue to review" }).click();
}

test("after a declined card the shopper can still buy the last units, and Back after paying shows a paid page", async ({ page, request }, info) => {
  const a = await fewLeft(request);
  // Every unit there is: the shopper's own hold is then all the stock.
  const units = a.available;
  await addToCart(page, a, units, units);
  await toReview(page, `last-units-${info.project.name}-${Date.now()}@example.com`);
  await page.getByRole("button", { name: /^Pay \$/ }).click();
  await page.getByLabel("Card number").fill("4000 0000 0000 0002");
  await page.getByRole("button", { name: /^Pay \$/ }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Your card was declined." })).toBeVisible();

  // Back to the cart: the line is not "sold out" by the shopper's own unpaid order.
  await page.getByRole("link", { name: /Cart \d+ items? in cart/ }).click();
  await expect(page.getByRole("link", { name: a.title })).toBeVisible();
  await expect(page.getByText("Sold out")).toHaveCount(0);
  await toReview(page, `last-units-${info.project.name}-${Date.now()}@example.com`);
  await page.getByRole("button", { name: /^Pay \$/ }).click();
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: /^Pay \$/ }).click();
  await expect(page.getByRole("status").filter({ hasText: "Thank you! Your order is confirmed." })).toBeVisible();

  // The browser's Back: the payment page is loaded again (no-store) and says it is paid; no live form.
  await page.goBack();
  await expect(page.getByRole("status").filter({ hasText: "This order is paid." })).toBeVisible();
  await expect(page.getByLabel("Card number")).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole("link", { name: "See your order" }).click();
  await expect(page).toHaveURL(/\/orders\/BZ-/);
});

test("without JavaScript a signed-in shopper can still log out", async ({ browser }, info) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/register");
  await registerAndLogIn(page, "No Script", `nojs-${info.project.name}-${Date.now()}@example.com`, "no-script-needed-42");
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
  await context.close();
});

test("markup typed into a search stays text: the tab title shows it and nothing in it runs or redirects", async ({ page }) => {
  const typed = '</title><meta http-equiv="refresh" content="0;url=/cart"><b>hi</b>';
  await page.goto(`/search?q=${encodeURIComponent(typed)}`);
  await expect(page).toHaveTitle(`Results for “${typed}” · Bazaar`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(typed);
  await expect(page.locator('meta[http-equiv="refresh"]')).toHaveCount(0);
  await expect(page.locator("b", { hasText: /^hi$/ })).toHaveCount(0);
  // Had the meta tag been parsed, the browser would be on the cart by now.
  await page.waitForTimeout(1_500);
  await expect(page).toHaveURL(/\/search\?q=/);
  await expectAccessible(page);
});
