import { expect, test } from "@playwright/test";
import { addToCart, expectAccessible, payAsGuest, twoSellers, waitForHydration } from "./shop";

// Issue 22: what a shopper looks at next. Products viewed show under "Recently viewed" (kept by the browser) on the
// next product page and the home page, and can be cleared; after shoppers buy two products together twice, the
// first one's page and a cart holding it offer the second under "Customers also bought".

test("recently viewed, then customers also bought after a purchase", async ({ page, request }, testInfo) => {
  const project = testInfo.project.name;
  // Each project its own pair, past the ones other journeys take.
  const [a, b] = await twoSellers(request, project === "phone" ? 40 : 30);

  await page.goto(a.url);
  await waitForHydration(page);
  await page.goto(b.url);
  await waitForHydration(page);
  const recent = page.getByRole("region", { name: "Recently viewed" });
  await expect(recent.getByRole("link", { name: a.title, exact: true })).toBeVisible();
  await expect(recent.getByRole("link", { name: b.title, exact: true })).toHaveCount(0);
  await expectAccessible(page);

  await page.goto("/");
  const home = page.getByRole("region", { name: "Recently viewed" });
  await expect(home.getByRole("link", { name: b.title, exact: true })).toBeVisible();
  await expect(home.getByRole("link", { name: a.title, exact: true })).toBeVisible();
  await expectAccessible(page);
  await home.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `test-results/recently-viewed-${project}.png` });

  // A pair is shown once two paid orders held it (one shopper's basket alone is never on show).
  for (const n of [1, 2]) {
    await addToCart(page, a, 1, 1);
    await addToCart(page, b, 1, 2);
    await payAsGuest(page, `together-${n}-${project}-${Date.now()}@example.com`, "Ada Lovelace");
  }

  // The payment's stock change refreshes the cached page within the indexer's period.
  const together = page.getByRole("region", { name: "Customers also bought" });
  await expect(async () => {
    await page.goto(a.url);
    await expect(together.getByRole("link", { name: b.title, exact: true })).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expectAccessible(page);
  await together.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `test-results/also-bought-${project}.png` });

  await addToCart(page, a, 1, 1);
  await page.goto("/cart");
  await expect(together.getByRole("link", { name: b.title, exact: true })).toBeVisible();
  await expect(together.getByRole("link", { name: a.title, exact: true })).toHaveCount(0);
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/cart-also-bought-${project}.png`, fullPage: true });

  await page.goto("/");
  await waitForHydration(page);
  await home.getByRole("button", { name: "Clear recently viewed" }).click();
  await expect(home.getByRole("status")).toHaveText("Cleared. Products you view from now on will show here.");
  await expect(home.getByRole("link")).toHaveCount(0);
  await expect(home.getByRole("heading", { name: "Recently viewed" })).toBeFocused();
  await page.reload();
  await waitForHydration(page);
  await expect(home).toBeHidden();
});
