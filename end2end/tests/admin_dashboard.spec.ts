import { expect, Page, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { addToCart, expectAccessible, logIn, payAsGuest, twoSellers } from "./shop";

// Issue 23, third slice: the admin dashboard. A shopper's checkout shows at once in today's orders and GMV; the admin
// chooses the period by its chips and by days, reads each day's figures in the table beside the chart, downloads
// them, and is told what to type when the days are wrong.

/** The figure a dashboard tile shows (its value paragraph). */
async function tile(page: Page, name: string): Promise<string> {
  return ((await page.getByRole("region", { name, exact: true }).getByRole("paragraph").first().textContent()) ?? "").trim();
}

test("an admin reads the marketplace's sales for a period and downloads its days", async ({ page, browser }, testInfo) => {
  const origin = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  const project = testInfo.project.name;
  await logIn(page, "admin@demo.bazaar.test", "demo-pass-2026");
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Marketplace sales" })).toBeVisible();
  const chips = page.getByRole("navigation", { name: "Sales period" });
  await chips.getByRole("link", { name: "Today" }).click();
  await expect(chips.getByRole("link", { name: "Today" })).toHaveAttribute("aria-current", "page");
  const ordersBefore = Number(await tile(page, "Orders in USD"));

  // A shopper buys one thing.
  const shopperContext = await browser.newContext({ baseURL: origin, viewport: page.viewportSize() });
  const shopper = await shopperContext.newPage();
  const [pick] = await twoSellers(shopper.request, 24);
  await addToCart(shopper, pick, 1, 1);
  await payAsGuest(shopper, `dashboard-${project}-${Date.now()}@example.com`, "Grace Hopper");
  await shopperContext.close();

  // Today's orders count it, and GMV has a figure.
  await page.reload();
  await expect(page.getByRole("region", { name: "Orders in USD", exact: true }).getByRole("paragraph").first()).toHaveText(String(ordersBefore + 1));
  expect(await tile(page, "GMV in USD")).toMatch(/^\$\d/);
  await expectAccessible(page);

  // Seven days, and the chart's figures as a table.
  await chips.getByRole("link", { name: "7 days" }).click();
  await expect(page).toHaveURL(/range=7/);
  await expect(page.getByRole("img", { name: /^GMV per day from / })).toBeVisible();
  await page.getByText(/The chart's figures, day by day/).click();
  // The newest day first: the shop's today (its clock, which journeys may have moved on, not this machine's).
  const today = ((await page.getByRole("rowheader").first().textContent()) ?? "").trim();
  expect(today).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: today }) });
  await expect(row.getByRole("cell").first()).not.toHaveText("0");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/admin-dashboard-${project}.png`, fullPage: true });

  // Chosen days: today alone; then days the wrong way round are refused with what to do.
  await page.getByLabel("First day").fill(today);
  await page.getByLabel("Last day").fill(today);
  await page.getByRole("button", { name: "Show these days" }).click();
  await expect(page.getByText(`Paid checkouts of ${today} to ${today}`)).toBeVisible();
  await expect(page.getByRole("region", { name: "Orders in USD", exact: true }).getByRole("paragraph").first()).toHaveText(String(ordersBefore + 1));
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download these days (CSV)" }).click();
  const file = readFileSync((await (await download).path()) ?? "", "utf-8").trim().split("\n");
  expect(file[0]).toBe("Date,Orders,GMV,Refunds,Currency");
  expect(file[1]).toMatch(new RegExp(`^${today},${ordersBefore + 1},`));
  expect(file[file.length - 1]).toMatch(new RegExp(`^Total,${ordersBefore + 1},`));

  await page.goto(`/admin?from=${today}&to=2020-01-01`);
  await expect(page.getByRole("alert")).toContainText("The last day must be on or after the first.");
  await expectAccessible(page);
  await page.getByRole("link", { name: "Show the last 30 days" }).click();
  await expect(chips.getByRole("link", { name: "30 days" })).toHaveAttribute("aria-current", "page");
});
