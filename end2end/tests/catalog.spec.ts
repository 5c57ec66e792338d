import { expect, test } from "@playwright/test";
import { expectAccessible } from "./shop";

// scripts/e2e.sh seeds a deterministic demo catalog before the server starts.

test("a shopper browses from the home page to a product", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "New arrivals" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Fashion", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Fashion" })).toBeVisible();
  await expectAccessible(page);
  // Ratings are read out: their words are text in the accessibility tree, not a label on a plain paragraph.
  expect(await page.getByRole("region", { name: "Results" }).ariaSnapshot()).toMatch(/Rated \d\.\d out of 5 from \d+ reviews/);
  await expect(page.getByRole("navigation", { name: "Subcategories" }).getByRole("link", { name: "Shoes" })).toBeVisible();
  const firstProduct = page.getByRole("region", { name: "Results" }).getByRole("heading", { level: 3 }).first();
  const title = (await firstProduct.textContent()) ?? "";
  await firstProduct.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Fashion" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Options" })).toBeVisible();
  await expect(page.getByText(/In stock|Only \d+ left|Out of stock/).first()).toBeVisible();
  await expect(page.getByRole("table").getByRole("rowheader", { name: "Brand" })).toBeVisible();
  await expect(page.getByRole("img", { name: `${title}, front view`, exact: true })).toBeVisible();
  await expect(page.getByRole("list", { name: "More pictures" }).getByRole("link", { name: `${title}, detail (full size)` })).toBeVisible();
  await expectAccessible(page);
});

test("search from the header, narrow by price, and go back to the previous results", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("combobox", { name: "Search products" }).fill("mug");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(/\/search\?q=mug/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("mug");
  await expectAccessible(page);
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
  await expectAccessible(page);
  await page.getByRole("link", { name: "Clear all filters" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "All products" })).toBeVisible();
});

test("a shopper opens a store from a product and searches inside it", async ({ page }) => {
  await page.goto("/c/home");
  await page.getByRole("region", { name: "Results" }).getByRole("heading", { level: 3 }).first().getByRole("link").click();
  const sellerLink = page.getByText("Sold by").getByRole("link");
  const store = (await sellerLink.textContent()) ?? "";
  await sellerLink.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(store);
  await expect(page).toHaveURL(/\/store\//);
  await expectAccessible(page);
  const filters = page.getByRole("form", { name: "Filters" });
  await filters.getByLabel("Search this store").fill("a");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/\/store\/[^?]+\?q=a/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(store);
  // Every result is sold by this store.
  const sellers = await page.getByRole("region", { name: "Results" }).getByRole("article").filter({ hasText: store }).count();
  const cards = await page.getByRole("region", { name: "Results" }).getByRole("article").count();
  expect(cards).toBeGreaterThan(0);
  expect(sellers).toBe(cards);
});

test("choosing a variant changes the price, SKU and stock shown", async ({ page, request }) => {
  const list = await (await request.get("/api/v1/products/search?category=fashion&per_page=100")).json();
  let product: { url: string; variants: { sku: string; price: number; available: number }[] } | undefined;
  for (const r of list.results) {
    const p = await (await request.get(`/api/v1/products/${r.id}`)).json();
    if (p.variants.length >= 2 && p.variants[0].price !== p.variants[1].price) {
      product = { url: r.url, variants: p.variants };
      break;
    }
  }
  if (!product) throw new Error("the seeded catalog has no product with two differently priced variants");
  await page.goto(product.url);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const choices = page.getByRole("group", { name: "Size" }).getByRole("radio");
  const money = (n: number) => `$${n.toFixed(2)}`;
  const stock = (n: number) => (n <= 0 ? "Out of stock" : n <= 5 ? `Only ${n} left` : "In stock");
  const pick = async (i: number) => {
    const v = product!.variants[i];
    await choices.nth(i).check();
    await expect(page.getByText(`SKU ${v.sku}`)).toBeVisible();
    await expect(page.getByText(money(v.price), { exact: true })).toBeVisible();
    await expect(page.getByText(stock(v.available), { exact: true })).toBeVisible();
  };
  for (const i of [1, 0]) await pick(i);
  // A reload revalidates the page from the browser's cache (a 304): its scripts must still run (issue 19: the
  // 304 once carried a policy whose nonce was not the cached page's, and the picker stopped working).
  const blocked: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) blocked.push(m.text());
  });
  const revalidated = page.waitForResponse((r) => r.url().endsWith(product!.url) && r.request().method() === "GET");
  await page.reload();
  await revalidated;
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await pick(1);
  expect(blocked).toEqual([]);
});
