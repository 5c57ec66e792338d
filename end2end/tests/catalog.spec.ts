import { expect, test } from "@playwright/test";

// scripts/e2e.sh seeds a deterministic demo catalog before the server starts.

test("a shopper browses from the home page to a product", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "New arrivals" })).toBeVisible();
  await page.getByRole("link", { name: "Fashion", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Fashion" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Subcategories" }).getByRole("link", { name: "Shoes" })).toBeVisible();
  const firstProduct = page.getByRole("region", { name: "Results" }).getByRole("heading", { level: 3 }).first();
  const title = (await firstProduct.textContent()) ?? "";
  await firstProduct.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Fashion" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Options" })).toBeVisible();
  await expect(page.getByText(/In stock|Only \d+ left|Out of stock/).first()).toBeVisible();
  await expect(page.getByRole("table").getByRole("rowheader", { name: "Brand" })).toBeVisible();
  await expect(page.getByRole("img", { name: `${title} (product image)` })).toBeVisible();
});

test("search from the header, narrow by price, and go back to the previous results", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("searchbox", { name: "Search products" }).fill("mug");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(/\/search\?q=mug/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("mug");
  const count = page.getByRole("status").filter({ hasText: /products?$/ });
  const before = (await count.textContent()) ?? "";

  const filters = page.getByRole("form", { name: "Filters" });
  await filters.getByLabel("Max price").fill("15");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/price_max=15/);
  const after = (await count.textContent()) ?? "";
  expect(parseInt(after)).toBeLessThanOrEqual(parseInt(before));

  await page.goBack();
  await expect(page).not.toHaveURL(/price_max/);
  await expect(count).toHaveText(before);
});

test("a search with no results offers a way on", async ({ page }) => {
  await page.goto("/search?q=zzzqqqxxx");
  await expect(page.getByRole("heading", { name: "No products match" })).toBeVisible();
  await page.getByRole("link", { name: "Clear all filters" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "All products" })).toBeVisible();
});
