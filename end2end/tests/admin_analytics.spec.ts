import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { expectAccessible, logIn } from "./shop";

// Issue 23, sixth slice: analytics. A shopper searches a word the catalog does not have; within seconds the admin
// finds it under "Searches that found nothing" for today, with a visit in the funnel and search results in the
// traffic by page type, reads the funnel's steps, and downloads the list as CSV. Seventh slice: from that row
// the admin adds a synonym (the word also finds "earbuds"), and the shopper's same search now finds earbuds; the
// admin asks for a rebuild of the index, and the audit log shows the synonym.

test("an admin finds a shopper's search that found nothing and gives it a synonym", async ({ page, browser }, testInfo) => {
  const origin = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  const project = testInfo.project.name;
  // Lower case: searches are counted by their normalised words.
  const word = `qwxzv${project.replace(/[^a-z]/gi, "").toLowerCase()}${Date.now().toString(36)}`;

  const shopperContext = await browser.newContext({ baseURL: origin, viewport: page.viewportSize() });
  const shopper = await shopperContext.newPage();
  await shopper.goto("/");
  const box = shopper.getByRole("combobox", { name: "Search products" });
  await box.fill(word.toUpperCase());
  await box.press("Enter");
  await expect(shopper.getByRole("heading", { name: "No products match" })).toBeVisible();
  await shopperContext.close();

  await logIn(page, "admin@demo.bazaar.test", "demo-pass-2026");
  await page.goto("/admin");
  if (project === "phone") {
    // The admin's navigation folds into a menu on a phone: the address is the same.
    await page.goto("/admin/analytics");
  } else {
    await page.getByRole("link", { name: "Analytics", exact: true }).first().click();
  }
  await expect(page.getByRole("heading", { level: 1, name: "Analytics" })).toBeVisible();
  const chips = page.getByRole("navigation", { name: "Sales period" });
  await chips.getByRole("link", { name: "Today" }).click();
  await expect(chips.getByRole("link", { name: "Today" })).toHaveAttribute("aria-current", "page");
  // Events are written every second: the page shows them after a reload or two.
  const empty = page.getByRole("region", { name: "Searches that found nothing" });
  await expect(async () => {
    await page.reload();
    await expect(empty.getByRole("rowheader", { name: word, exact: true })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(empty.getByRole("row").filter({ hasText: word }).getByRole("cell").nth(1)).toHaveText(/^[1-9]/);
  const funnel = page.getByRole("region", { name: "From visit to paid" });
  await expect(funnel.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Visits" }) }).getByRole("cell").first()).not.toHaveText("0");
  await expect(page.getByRole("region", { name: "Traffic by page type" })).toContainText("Search results");
  await expect(page.getByRole("region", { name: "Top searches" })).toContainText(word);
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/admin-analytics-${project}.png`, fullPage: true });

  const download = page.waitForEvent("download");
  await empty.getByRole("link", { name: "Download searches that found nothing (CSV)" }).click();
  const file = readFileSync((await (await download).path()) ?? "", "utf-8").trim().split("\n");
  expect(file[0]).toBe("Search,Searches,Found nothing");
  expect(file.some((line) => line.startsWith(`${word},`))).toBeTruthy();

  await empty.getByRole("link", { name: `Add a synonym for “${word}”` }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Search" })).toBeVisible();
  await expect(page.getByLabel("Word shoppers search for")).toHaveValue(word);
  await page.getByLabel("Also finds", { exact: true }).fill("Earbuds");
  await page.getByRole("button", { name: "Add synonym" }).click();
  await expect(page.getByRole("status")).toContainText("Synonym saved");
  const synonyms = page.getByRole("region", { name: "Synonyms" });
  await expect(synonyms.getByRole("row").filter({ has: page.getByRole("rowheader", { name: word, exact: true }) })).toContainText("earbuds");
  await page.getByRole("button", { name: "Rebuild the search index" }).click();
  await expect(page.getByRole("status")).toContainText(/Rebuild asked|already waiting/);
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/admin-search-${project}.png`, fullPage: true });

  // The shopper's same search finds earbuds now (the indexer applies the change within a second).
  const laterContext = await browser.newContext({ baseURL: origin, viewport: page.viewportSize() });
  const later = await laterContext.newPage();
  await expect(async () => {
    await later.goto("/");
    const again = later.getByRole("combobox", { name: "Search products" });
    await again.fill(word);
    await again.press("Enter");
    await expect(later.getByRole("link", { name: /Earbuds/ }).first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expectAccessible(later);
  await laterContext.close();

  await page.goto(`/admin/audit?action=search.synonym`);
  await expect(page.getByRole("main")).toContainText(word);
  await expectAccessible(page);
});
