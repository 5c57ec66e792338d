import { expect, test } from "@playwright/test";
import { expectAccessible, registerAndLogIn } from "./shop";

// Issue 22: a guest keeps a product on a wishlist → the list joins the account at sign-in → "Move to cart".

test("a guest's wishlist joins the account at sign-in and a kept product moves to the cart", async ({ page, request }, testInfo) => {
  // A product with one variant in stock, found through the public API.
  const list = await (await request.get("/api/v1/products/search?in_stock=1&per_page=60")).json();
  let pick: { url: string; title: string } | undefined;
  for (const r of list.results) {
    const p = await (await request.get(`/api/v1/products/${r.id}`)).json();
    if (p.variants.length === 1 && p.variants[0].available >= 2) {
      pick = { url: r.url, title: r.name };
      break;
    }
  }
  if (!pick) throw new Error("no single-variant product in stock");

  await page.goto(pick.url);
  await page.getByRole("button", { name: /^♡ Save to wishlist/ }).click();
  await expect(page.getByRole("button", { name: /^♥ Saved: remove from wishlist/ })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "View your wishlist" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your wishlist" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: pick.title })).toBeVisible();
  await expect(page.getByText("Kept on this device.")).toBeVisible();
  await expectAccessible(page);

  // Signing up and in keeps the list.
  await page.goto("/register");
  await registerAndLogIn(page, "Wendy Wisher", `wisher-${testInfo.project.name}-${Date.now()}@example.com`, "correct-horse-77");
  await page.goto("/wishlist");
  await expect(page.getByRole("heading", { level: 2, name: pick.title })).toBeVisible();
  await expect(page.getByText("Kept on this device.")).toHaveCount(0);
  await page.screenshot({ path: `test-results/wishlist-${testInfo.project.name}.png`, fullPage: true });

  await page.getByRole("button", { name: /^Move to cart/ }).click();
  await expect(page.getByRole("status")).toContainText("Moved to your cart.");
  await expect(page.getByText("Nothing kept yet.")).toBeVisible();
  await expect(page.getByRole("link", { name: /Cart 1 item in cart/ })).toBeVisible();
  await expectAccessible(page);
});
