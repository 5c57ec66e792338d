import { expect, test } from "@playwright/test";
import { addToCart, consoleErrors, expectAccessible, registerAndLogIn, twoSellers } from "./shop";

test("a guest fills a cart from two sellers, changes it, and keeps it after registering", async ({ page, request }, info) => {
  const [a, b] = await twoSellers(request);
  const errors = consoleErrors(page);
  await addToCart(page, a, 2, 2);
  await addToCart(page, b, 1, 3);

  // Too many for the stock: a clear message, and nothing changes.
  await page.getByLabel("Quantity").fill("99");
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByRole("status").filter({ hasText: /Only \d+ left/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Cart 3 items in cart/ })).toBeVisible();
  // An expected refusal is an answer, not a failed request: the console stays clean (issue 10, item 14).
  expect(errors).toEqual([]);

  await page.getByRole("link", { name: /Cart 3 items/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your cart" })).toBeVisible();
  const groupA = page.getByRole("region", { name: `Sold by ${a.seller}` });
  const groupB = page.getByRole("region", { name: `Sold by ${b.seller}` });
  await expect(groupA.getByRole("link", { name: a.title })).toBeVisible();
  await expect(groupB.getByRole("link", { name: b.title })).toBeVisible();
  await expect(groupA.getByText(`Subtotal from ${a.seller}`)).toBeVisible();
  await expectAccessible(page);

  await groupA.getByLabel(`Quantity of ${a.title}`).fill("1");
  await groupA.getByRole("button", { name: "Update" }).click();
  await expect(page.getByRole("link", { name: /Cart 2 items in cart/ })).toBeVisible();
  await expect(groupA.getByLabel(`Quantity of ${a.title}`)).toHaveValue("1");

  // Register: the guest's cart becomes the account's cart.
  await page.getByRole("link", { name: "Register" }).click();
  await registerAndLogIn(page, "Cart Keeper", `cart-${info.project.name}-${Date.now()}@example.com`, "a long and unusual passphrase");
  await expect(page.getByRole("link", { name: /Cart 2 items in cart/ })).toBeVisible();
  await page.getByRole("link", { name: /Cart 2 items/ }).click();
  await expect(page.getByRole("region", { name: `Sold by ${b.seller}` }).getByRole("link", { name: b.title })).toBeVisible();

  await page.getByRole("button", { name: `Remove ${b.title}` }).click();
  await expect(page.getByRole("region", { name: `Sold by ${b.seller}` })).toHaveCount(0);
  await expect(page.getByRole("link", { name: /Cart 1 item in cart/ })).toBeVisible();
});
