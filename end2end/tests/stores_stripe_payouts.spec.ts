import crypto from "node:crypto";
import { expect, test } from "@playwright/test";
import { expectAccessible, logIn } from "./shop";

// Issue 21, Stripe Connect (decision 0031), in the second shop scripts/e2e.sh starts, which pays its stores through
// Stripe against a local fake of Stripe's Connect API. A seller opens the money page, is told payouts need a Stripe
// account, goes to (the stand-in for) Stripe's onboarding page, submits their details, comes back, and the page
// says the account is ready once Stripe has reported it; a bank payout Stripe reports failed shows on the page.

const shop = process.env.CONNECT_URL;
test.skip(!shop, "needs the Connect shop that scripts/e2e.sh starts");
test.use({ baseURL: shop });

function signed(body: string): string {
  const t = Math.floor(Date.now() / 1000);
  const v1 = crypto.createHmac("sha256", process.env.E2E_CONNECT_SECRET ?? "").update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

test("a seller sets up payouts through Stripe and sees a bank payout that failed", async ({ page, request }, testInfo) => {
  const project = testInfo.project.name;
  const phone = project === "phone";
  await logIn(page, phone ? "seller2@demo.bazaar.test" : "seller1@demo.bazaar.test", "demo-pass-2026");
  await page.goto("/seller");
  if (phone) await page.getByRole("navigation", { name: "Seller portal" }).getByText("Menu").click();
  await page.getByRole("link", { name: "Money" }).click();
  const card = page.getByRole("region", { name: "Payouts through Stripe" });
  await expect(card).toContainText("Status: Not set up.");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-stripe-payouts-start-${project}.png`, fullPage: true });

  // Stripe's onboarding page, then back: ready only once Stripe has said so (its webhook came first).
  await card.getByRole("button", { name: "Set up payouts with Stripe" }).click();
  await expect(page.getByRole("heading", { name: /Set up payouts for your store/ })).toBeVisible();
  const account = new URL(page.url()).pathname.split("/").pop() ?? "";
  expect(account).toMatch(/^acct_e2e_\d+$/);
  await page.getByRole("button", { name: "Submit details" }).click();
  await expect(page).toHaveURL(/\/seller\/money$/);
  await expect(card).toContainText("Status: Ready.");
  await expect(card.getByRole("button")).toHaveCount(0);

  // The store's bank refuses a payout from its Stripe balance: Stripe tells the shop, the page says so.
  const body = JSON.stringify({
    id: `evt_po_${project}_${Date.now()}`,
    object: "event",
    type: "payout.failed",
    created: Math.floor(Date.now() / 1000),
    account,
    data: { object: { id: `po_${project}_${Date.now()}`, object: "payout", amount: 4200, currency: "usd", failure_message: "The bank account has been closed." } },
  });
  const told = await request.post("/webhooks/stripe/connect", {
    headers: { "content-type": "application/json", "stripe-signature": signed(body) },
    data: body,
  });
  expect(told.status()).toBe(200);
  await page.reload();
  await expect(card).toContainText("Bank payouts that failed");
  await expect(card.getByRole("listitem")).toContainText(["$42.00 — The bank account has been closed."]);
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-stripe-payouts-ready-${project}.png`, fullPage: true });
});
