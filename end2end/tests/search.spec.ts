import { expect, test } from "@playwright/test";
import { expectAccessible } from "./shop";

// Search as you type, typo tolerance, facets and the back button (scripts/e2e.sh seeds the catalog).

test("a misspelled query offers suggestions; arrow keys and Enter open one", async ({ page }) => {
  await page.goto("/");
  const box = page.getByRole("combobox", { name: "Search products" });
  await box.pressSequentially("headphnes", { delay: 20 });
  const list = page.getByRole("listbox", { name: "Suggestions" });
  await expect(list).toBeVisible();
  await expect(box).toHaveAttribute("aria-expanded", "true");
  await expectAccessible(page);
  // The category comes first, then products, despite the missing "o".
  await expect(list.getByRole("option").first()).toContainText("Headphones");
  await expect(list.getByRole("option").filter({ hasText: "Product" }).first()).toBeVisible();

  // Escape closes the list and keeps the text; typing again reopens it.
  await box.press("Escape");
  await expect(list).toBeHidden();
  await expect(box).toHaveValue("headphnes");
  await box.press("End");
  await box.pressSequentially(" ", { delay: 20 });
  await expect(list).toBeVisible();

  // Down twice: past the category to the first product; Enter opens it.
  await box.press("ArrowDown");
  await box.press("ArrowDown");
  const chosen = list.getByRole("option", { selected: true });
  await expect(chosen).toContainText("Product");
  await expect(box).toHaveAttribute("aria-activedescendant", (await chosen.getAttribute("id")) ?? "");
  const title = ((await chosen.locator(".suggestion__label").textContent()) ?? "").trim();
  await box.press("Enter");
  await expect(page).toHaveURL(/\/p\//);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.getByRole("group", { name: /Colour|Size|Length|Finish|Capacity/ })).toBeVisible();
  await expect(page.locator("body[data-hydrated=true]")).toBeAttached();

  // Choosing another variant changes the SKU, price and stock shown (every variant has its own SKU and price).
  const radios = page.getByRole("radio");
  const count = await radios.count();
  const sku = page.getByText(/^SKU /);
  const price = page.locator(".price--large > span").first();
  const before = { sku: await sku.textContent(), price: await price.textContent() };
  const other = (await radios.nth(0).isChecked()) ? Math.min(1, count - 1) : 0;
  if (count > 1) {
    await radios.nth(other).check();
    await expect(sku).not.toHaveText(before.sku ?? "");
    await expect(price).not.toHaveText(before.price ?? "");
    await expect(page.getByText(/^(In stock|Only \d+ left|Out of stock)$/)).toBeVisible();
  } else {
    // A one-variant product: its single option is chosen and the page says so.
    await expect(radios.first()).toBeChecked();
  }
});

test("a suggestion chosen with the pointer opens its page", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("combobox", { name: "Search products" }).pressSequentially("lamp", { delay: 20 });
  const product = page.getByRole("listbox", { name: "Suggestions" }).getByRole("option").filter({ hasText: "Product" }).first();
  const title = ((await product.locator(".suggestion__label").textContent()) ?? "").trim();
  await product.click();
  await expect(page).toHaveURL(/\/p\//);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
});

test("a misspelled search still finds the products", async ({ page }) => {
  await page.goto("/search?q=headphnes");
  const count = page.getByRole("status").filter({ hasText: /products?$/ });
  expect(parseInt((await count.textContent()) ?? "0")).toBeGreaterThan(0);
  // Ranked as Meilisearch ranks a typo: titles with the word meant come first (issue 10, item 15).
  await expect(page.getByRole("region", { name: "Results" }).getByRole("article").first()).toContainText("Headphones");
});

test("a facet narrows the results and the URL; the back button restores them", async ({ page }) => {
  await page.goto("/search?q=mug");
  const count = page.getByRole("status").filter({ hasText: /products?$/ });
  const before = parseInt((await count.textContent()) ?? "0");
  expect(before).toBeGreaterThan(0);

  const refine = page.getByRole("navigation", { name: "Refine results" });
  const brand = refine.getByRole("region", { name: "Brand" });
  const first = brand.getByRole("link").first();
  const label = (await first.getAttribute("aria-label")) ?? "";
  const expected = parseInt(label.match(/, (\d+) results/)?.[1] ?? "-1");
  await first.click();
  await expect(page).toHaveURL(/attr=Brand%3A/);
  await expect(count).toHaveText(`${expected} ${expected === 1 ? "product" : "products"}`);
  expect(expected).toBeLessThanOrEqual(before);
  await expect(refine.getByRole("link", { name: /\(remove\)/ })).toBeVisible();

  // A second facet (availability) narrows further and keeps the first.
  await refine.getByRole("link", { name: /^In stock/ }).click();
  await expect(page).toHaveURL(/attr=Brand%3A.*in_stock=1/);

  await page.goBack();
  await expect(page).not.toHaveURL(/in_stock/);
  await page.goBack();
  await expect(page).not.toHaveURL(/attr=/);
  await expect(count).toHaveText(`${before} ${before === 1 ? "product" : "products"}`);
});
