import { expect, test, type Page } from "@playwright/test";
import { addToCart, asStoreSeller, expectAccessible, logIn, payAsGuest } from "./shop";

// Issue 21: a store's sale is pending until delivery and the holding days (the shop's clock is moved forward, as
// the test server allows), then available with the commission deducted; the shopper's partial return is refunded
// and the statement shows the refund and the commission given back; an admin books an adjustment (with its reason)
// and records the payout, and the store's
// available money is zero, its statement ending with the payout, and the sales dashboard's revenue is the
// statement's sales, and the product page's views show with its conversion. (Named to run after the other journeys of its
// project: they read dates from the real clock.)

/** The amount on the balance card `name` ("Pending", "Available", "Paid out so far"). */
async function figure(page: Page, name: string): Promise<string> {
  const text = (await page.getByRole("region", { name, exact: true }).textContent()) ?? "";
  return text.match(/-?\$[\d,]+\.\d{2}/)?.[0] ?? "";
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("a sale waits out delivery and the holding days, a return gives its commission back, and a payout settles it", async ({ page, browser, request }, testInfo) => {
  const project = testInfo.project.name;
  const phone = project === "phone";
  const { item, openMenu } = await asStoreSeller(page, request, phone ? "seller18@demo.bazaar.test" : "seller17@demo.bazaar.test", phone);

  // A guest buys two.
  const guest = await browser.newContext({ baseURL: new URL(page.url()).origin, viewport: page.viewportSize() });
  const shopper = await guest.newPage();
  await addToCart(shopper, item, 2, 2);
  const number = `${await payAsGuest(shopper, `money-${project}-${Date.now()}@example.com`, "Ada Ledger")}-1`;
  const orderPage = shopper.url();

  // The store's money: the sale and the commission, pending.
  await page.goto("/seller");
  await openMenu();
  await page.getByRole("link", { name: "Money" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Money" })).toBeVisible();
  const statement = page.getByRole("table", { name: "Statement, newest first" });
  const row = (kind: string) => statement.getByRole("row").filter({ has: page.getByRole("rowheader", { name: kind, exact: true }) });
  await expect(row("Sale").getByRole("link", { name: number })).toBeVisible();
  await expect(row("Commission").getByRole("link", { name: number })).toBeVisible();
  const availableBefore = await figure(page, "Available");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-money-pending-${project}.png`, fullPage: true });

  // Shipped and delivered: still pending, with its release date.
  await row("Sale").getByRole("link", { name: number }).click();
  const ship = page.getByRole("form", { name: "Ship items" });
  await ship.getByLabel("Carrier").selectOption({ label: "UPS" });
  await ship.getByLabel("Tracking number").fill("1Z999AA10123456784");
  await ship.getByRole("button", { name: "Ship and email the shopper" }).click();
  await expect(page.getByRole("status")).toContainText("everything has shipped");
  await page.getByRole("button", { name: "Mark delivered" }).click();
  await expect(page.getByRole("status")).toContainText("Marked delivered");
  await page.goto("/seller/money");
  await expect(page.getByRole("region", { name: "Pending", exact: true })).toContainText("Next release:");
  expect(await figure(page, "Available")).toBe(availableBefore);

  // Eight days later (the holding period is 7): available.
  const origin = new URL(page.url()).origin;
  const moved = await page.request.post("/test/clock", { form: { days: "8" }, headers: { Origin: origin } });
  expect(moved.ok()).toBeTruthy();
  await page.reload();
  const available = await figure(page, "Available");
  expect(available).not.toBe(availableBefore);

  // The shopper sends one back; the store approves, receives and refunds it.
  await shopper.goto(orderPage);
  await shopper.getByRole("link", { name: `Return items of order ${number}` }).click();
  const ask = shopper.getByRole("form", { name: "Send items back" });
  await ask.getByLabel(new RegExp(`^${escaped(item.title)}`)).fill("1");
  await ask.getByLabel("Why are you sending it back?").selectOption({ label: "It arrived damaged" });
  await ask.getByRole("button", { name: "Ask to return these units" }).click();
  await expect(shopper.getByRole("status")).toContainText("Return requested");
  await page.goto(`/seller/orders/${number}`);
  await page.getByRole("region", { name: "Returns" }).getByRole("button", { name: "Approve the return" }).click();
  await expect(page.getByRole("status")).toContainText("Return approved");
  await shopper.reload();
  await shopper.getByLabel("Carrier").selectOption({ label: "USPS" });
  await shopper.getByRole("button", { name: "Tell the store it is on its way" }).click();
  await expect(shopper.getByRole("status")).toContainText("on its way");
  await page.reload();
  await page.getByRole("button", { name: "Mark the return received" }).click();
  await expect(page.getByRole("status")).toContainText("Return received");
  await page.getByRole("button", { name: "Refund the returned units" }).click();
  await expect(page.getByRole("status")).toContainText("Refund made");
  await guest.close();

  // The statement: the refund and the commission it gave back; filtered to refunds; as CSV.
  await page.goto("/seller/money");
  await expect(row("Refund").getByRole("link", { name: number })).toBeVisible();
  await expect(row("Commission given back").getByRole("link", { name: number })).toBeVisible();
  const due = await figure(page, "Available");
  expect(due).not.toBe(available);
  await page.screenshot({ path: `test-results/seller-money-refunded-${project}.png`, fullPage: true });
  const filters = page.getByRole("search", { name: "Filter the statement" });
  await filters.getByLabel("Kind").selectOption({ label: "Refund" });
  await filters.getByRole("button", { name: "Show" }).click();
  await expect(page.getByRole("heading", { name: "Totals for these filters" })).toBeVisible();
  await expect(row("Sale")).toHaveCount(0);
  await expect(row("Refund")).not.toHaveCount(0);
  await expectAccessible(page);
  const csvHref = (await page.getByRole("link", { name: "Download statement (CSV)" }).getAttribute("href")) ?? "";
  const csv = await page.request.get(csvHref);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  expect(await csv.text()).toContain(number);

  // An admin pays the available money out by bank transfer and records it.
  const adminContext = await browser.newContext({ baseURL: origin, viewport: page.viewportSize() });
  const admin = await adminContext.newPage();
  await logIn(admin, "admin@demo.bazaar.test", "demo-pass-2026");
  await admin.goto("/admin");
  await admin.getByRole("link", { name: "Payouts to stores" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "Payouts to stores" })).toBeVisible();
  await expectAccessible(admin);
  // First it takes $1.00 for packaging the platform supplied; a reason left out is asked for, the amount kept.
  await admin.getByText(`Adjust ${item.seller}'s money…`).click();
  const amountField = admin.getByLabel(`Amount for ${item.seller} (12.50 to add, -12.50 to take)`);
  await amountField.fill("-1.00");
  await admin.getByRole("button", { name: "Book the adjustment" }).click();
  await expect(admin.getByRole("alert")).toContainText("the store reads it");
  await expect(amountField).toHaveValue("-1.00");
  await expectAccessible(admin);
  await admin.screenshot({ path: `test-results/admin-adjustment-${project}.png`, fullPage: true });
  await admin.getByLabel(`Reason ${item.seller} reads`).fill("Packaging supplied by the platform");
  await admin.getByRole("button", { name: "Book the adjustment" }).click();
  await expect(admin.getByRole("status")).toContainText("Adjustment booked");
  const cents = Math.round(Number(due.replace(/[$,]/g, "")) * 100) - 100;
  const payable = `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
  await admin.getByLabel(`Bank reference for ${item.seller}`).fill(`BANK-${project}-1`);
  await admin.getByRole("button", { name: `Record payout of ${payable}` }).click();
  await expect(admin.getByRole("status")).toContainText("Payout recorded");
  await expectAccessible(admin);
  await expect(async () => {
    await admin.goto("/dev/mailbox");
    await expect(admin.getByRole("article", { name: `Payout of ${payable} sent to ${item.seller}` })).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await admin.goto("/admin/payouts");
  await admin.screenshot({ path: `test-results/admin-payouts-${project}.png`, fullPage: true });
  await adminContext.close();

  // The store: nothing available any more, the payout last on the statement.
  await page.goto("/seller/money");
  expect(await figure(page, "Available")).toBe("$0.00");
  expect(await figure(page, "Paid out so far")).toBe(payable);
  await expect(row("Adjustment")).toContainText("Packaging supplied by the platform");
  await expect(row("Payout")).toContainText(`Bank transfer, reference BANK-${project}-1`);
  // The newest entry (rows with a row header: at phone width the column headers are hidden).
  await expect(statement.getByRole("row").filter({ has: page.getByRole("rowheader") }).first()).toContainText("Payout");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-money-paid-${project}.png`, fullPage: true });

  // The sales dashboard's revenue over 30 days is the statement's sales (every sale of the store is that recent).
  const totals = page.getByRole("table", { name: "Totals" });
  const sales = (await totals.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Sale", exact: true }) }).textContent()) ?? "";
  await page.goto("/seller");
  await openMenu();
  await page.getByRole("link", { name: "Overview" }).click();
  await page.getByRole("navigation", { name: "Sales period" }).getByRole("link", { name: "30 days" }).click();
  const sold = sales.match(/\$[\d,]+\.\d{2}/)?.[0] ?? "none";
  expect(await figure(page, "Revenue")).toBe(sold);
  await expect(page.getByRole("img", { name: /^Revenue per day from / })).toBeVisible();
  await expect(page.getByRole("table", { name: "Best sellers" })).toContainText(item.title);
  // The store's health: the return request counts (other journeys may have bought from this store too), each
  // measure with its rate, threshold and status in words.
  const health = page.getByRole("table", { name: "Store health over the last 30 days" });
  const returns = health.getByRole("row").filter({ hasText: "Return requests" });
  await expect(returns).toContainText(/[1-9]\d* of [1-9]\d*/);
  await expect(returns).toContainText("≤ 10.0 %");
  await expect(returns).toContainText(/Good|Above the threshold/);
  await expect(health.getByRole("row").filter({ hasText: "Cancelled after payment" })).toContainText("≤ 2.5 %");
  // The shopper's visit to the product page counted (views are written every few seconds), with its conversion.
  const viewed = page.getByRole("table", { name: "Most viewed" }).getByRole("row").filter({ hasText: item.title });
  await expect(viewed).toContainText(/\d+\.\d %/);
  await expect(page.getByText(/^Product pages viewed \d+ times?;/)).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-dashboard-${project}.png`, fullPage: true });
});
