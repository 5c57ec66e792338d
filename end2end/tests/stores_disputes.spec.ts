import { expect, test } from "@playwright/test";
import { addToCart, asStoreSeller, detailsAsGuest, expectAccessible } from "./shop";

// Issue 21: a shopper pays with the test gateway's dispute card and the bank disputes the payment. The store sees
// the case on its money page with its share and deadline, opens it, reads the order's facts the marketplace sends
// the bank, is told what is wrong with a too-short account (kept as typed), sends its account, and the test bank
// decides for the store: the statement shows the share taken and given back.

test("a disputed payment shows to its store, which answers it with the order's facts and wins it back", async ({ page, browser, request }, testInfo) => {
  const project = testInfo.project.name;
  const phone = project === "phone";
  const { item, openMenu } = await asStoreSeller(page, request, phone ? "seller20@demo.bazaar.test" : "seller19@demo.bazaar.test", phone);

  // A guest pays with the card whose bank disputes the payment.
  const guest = await browser.newContext({ baseURL: new URL(page.url()).origin, viewport: page.viewportSize() });
  const shopper = await guest.newPage();
  await addToCart(shopper, item, 1, 1);
  await detailsAsGuest(shopper, `dispute-${project}-${Date.now()}@example.com`, "Dee Spute");
  await shopper.getByRole("button", { name: /^Pay \$/ }).click();
  await shopper.getByLabel("Card number").fill("4000 0000 0000 0259");
  await shopper.getByRole("button", { name: /^Pay \$/ }).click();
  await expect(shopper.getByRole("heading", { name: "Thank you! Your order is confirmed." })).toBeVisible();
  const number = `${((await shopper.getByRole("heading", { level: 1 }).textContent()) ?? "").replace("Order ", "")}-1`;
  await guest.close();

  // The store's money page lists the case.
  await page.goto("/seller");
  await openMenu();
  await page.getByRole("link", { name: "Money" }).click();
  const cases = page.getByRole("table", { name: "Disputes on your orders, open ones first" });
  const link = cases.getByRole("link", { name: `Dispute on ${number}` });
  await expect(link).toBeVisible();
  await expect(cases.getByRole("row").filter({ has: page.getByRole("link", { name: `Dispute on ${number}` }) })).toContainText("Needs your evidence");
  const statement = page.getByRole("table", { name: "Statement, newest first" });
  await expect(statement.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Dispute", exact: true }) })).toContainText(number);
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-disputes-list-${project}.png`, fullPage: true });

  // The case: the order's facts offered to the bank, and the store's account.
  await link.click();
  await expect(page.getByRole("heading", { level: 1, name: `Dispute on order ${number}` })).toBeVisible();
  const facts = page.getByRole("region", { name: "What the marketplace sends the bank" });
  await expect(facts).toContainText(number);
  await expect(facts).toContainText("Messages with the shopper");
  await expectAccessible(page);
  const account = page.getByLabel("What happened");
  await account.fill("Too short.");
  await page.getByRole("button", { name: "Send evidence to the bank" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "at least 20 characters" }).first()).toBeVisible();
  await expect(account).toHaveValue("Too short.");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-dispute-${project}.png`, fullPage: true });
  // The test bank decides at once when the account says "winning_evidence" (as Stripe's test mode does).
  await account.fill("Packed and sent the morning after the order; the shopper wrote to thank us. winning_evidence");
  await page.getByRole("button", { name: "Send evidence to the bank" }).click();
  await expect(page.getByRole("status")).toContainText("Evidence sent");
  await expect(page.getByText("Won", { exact: true })).toBeVisible();
  await expect(page.getByRole("region", { name: "Your account" })).toContainText("thank us");
  await expectAccessible(page);

  // The statement: the share taken when the case opened, and given back.
  await page.getByRole("link", { name: "← Money" }).click();
  await expect(statement.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Dispute won", exact: true }) })).toContainText(number);
});
