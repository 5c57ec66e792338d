import { expect, test } from "@playwright/test";
import { expectAccessible, logIn } from "./shop";

// Issue 22: price history (EU Omnibus art. 6a). A seller lowers a price → the product page shows the price before
// as the lowest of the 30 days before the new one; a price raised back shows no "was" price at all.

function cents(text: string): number {
  return Math.round(parseFloat(text) * 100);
}

function money(c: number): string {
  return (c / 100).toFixed(2);
}

test("a lowered price shows the 30-day lowest as its was price, a raised one none", async ({ page }, testInfo) => {
  await logIn(page, "seller5@demo.bazaar.test", "demo-pass-2026");
  // Sorted by title: a save moves a product up the default order.
  await page.goto("/seller/products?sort=title");
  // Each project its own product: the desktop run's changes stay out of the phone run's figures.
  const row = testInfo.project.name === "phone" ? 2 : 1;
  await page.getByRole("table").getByRole("row").nth(row).getByRole("link").first().click();
  const price = page.getByLabel(/^Price of /).first();
  const variant = ((await price.getAttribute("aria-label")) ?? "").replace(/^Price of /, "");
  const before = cents(await price.inputValue());
  const lowered = before - 100;

  await price.fill(money(lowered));
  await page.getByRole("button", { name: "Save product" }).click();
  await expect(page.getByRole("status")).toContainText("Product saved.");
  await expect(page.getByText("Shoppers see a crossed-out \"was\" price only when")).toBeVisible();
  await page.getByRole("link", { name: "View on the storefront" }).click();
  const buy = page.getByRole("form", { name: "Add to cart" });
  await buy.getByRole("radio", { name: variant, exact: true }).check();
  const was = buy.getByText("lowest price of the 30 days before");
  await expect(was).toBeVisible();
  const shown = cents(((await buy.locator("s").innerText()).match(/(\d+\.\d{2})/) ?? ["", "0"])[1]);
  // A retry finds this run's earlier changes in the history: the lowest of them, never above the price before.
  if (testInfo.retry === 0) expect(shown).toBe(before);
  expect(shown).toBeGreaterThan(lowered);
  expect(shown).toBeLessThanOrEqual(before);
  await expect(buy.getByText(`$${money(lowered)}`, { exact: true })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/price-history-${testInfo.project.name}.png`, fullPage: true });

  // Back above the lowest of the 30 days: no "was" price.
  await page.goBack();
  await page.getByLabel(`Price of ${variant}`, { exact: true }).fill(money(before + 100));
  await page.getByRole("button", { name: "Save product" }).click();
  await expect(page.getByRole("status")).toContainText("Product saved.");
  await page.getByRole("link", { name: "View on the storefront" }).click();
  await buy.getByRole("radio", { name: variant, exact: true }).check();
  await expect(buy.getByText(`$${money(before + 100)}`, { exact: true })).toBeVisible();
  await expect(buy.getByText("lowest price of the 30 days before")).toBeHidden();
});
