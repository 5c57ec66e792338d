import { expect, test } from "@playwright/test";
import { expectAccessible, logIn, registerAndLogIn } from "./shop";

// Issue 22: notification preferences. A shopper chooses texts (a wrong number is refused with what was typed
// kept), keeps a product on the wishlist → its seller lowers the price → the price-drop mail arrives with an
// unsubscribe link → one click turns price drops off. An admin reads every message the shop sends, text and HTML.

test("a shopper chooses emails and texts and unsubscribes from a price drop in one click", async ({ page, browser }, testInfo) => {
  const email = `prefs-${testInfo.project.name}-${Date.now()}@example.com`;
  await page.goto("/register");
  await registerAndLogIn(page, "Pat Prefs", email, "correct-horse-77");
  await page.goto("/account");
  await page.getByRole("link", { name: "Emails and texts" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Emails and texts");
  await expect(page.getByLabel("News and offers from Bazaar")).not.toBeChecked();
  await expect(page.getByLabel("Price drops on your wishlist")).toBeChecked();
  await page.getByLabel("Text me when an order ships and when it arrives").check();
  await page.getByLabel("Mobile number").fill("07700 900123");
  await page.getByRole("button", { name: "Save choices" }).click();
  await expect(page.getByText("Start with + and the country code")).toBeVisible();
  await expect(page.getByLabel("Mobile number")).toHaveValue("07700 900123");
  await expect(page.getByLabel("Text me when an order ships and when it arrives")).toBeChecked();
  await page.getByLabel("Mobile number").fill("+44 7700 900123");
  await page.getByRole("button", { name: "Save choices" }).click();
  await expect(page.getByRole("status")).toContainText("Your choices are saved.");
  await expect(page.getByLabel("Mobile number")).toHaveValue("+447700900123");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/notifications-${testInfo.project.name}.png`, fullPage: true });

  // A seller's product on this shopper's wishlist (each project its own product of a store no other journey edits).
  const sellerContext = await browser.newContext({ baseURL: new URL(page.url()).origin, viewport: page.viewportSize() });
  const seller = await sellerContext.newPage();
  await logIn(seller, "seller11@demo.bazaar.test", "demo-pass-2026");
  await seller.goto("/seller/products?sort=title");
  const row = testInfo.project.name === "phone" ? 2 : 1;
  await seller.getByRole("table").getByRole("row").nth(row).getByRole("link").first().click();
  const storefront = await seller.getByRole("link", { name: "View on the storefront" }).getAttribute("href");
  await page.goto(storefront ?? "/");
  const title = (await page.getByRole("heading", { level: 1 }).innerText()).trim();
  await page.getByRole("button", { name: /^♡ Save to wishlist/ }).click();
  await expect(page.getByRole("button", { name: /^♥ Saved: remove from wishlist/ })).toBeVisible();

  // Half the price: below every price of the 30 days before, so a drop by the Omnibus rule.
  for (const price of await seller.getByLabel(/^Price of /).all()) {
    const cents = Math.round(parseFloat(await price.inputValue()) * 100);
    await price.fill((Math.max(100, Math.floor(cents / 2)) / 100).toFixed(2));
  }
  await seller.getByRole("button", { name: "Save product" }).click();
  await expect(seller.getByRole("status")).toContainText("Product saved.");
  await sellerContext.close();

  const mail = page.getByRole("article", { name: new RegExp(`^Price drop: ${title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is now`) }).filter({ hasText: `To ${email}` });
  await expect(async () => {
    await page.goto("/dev/mailbox");
    await expect(mail.first()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(mail.first()).toContainText("its lowest price in the 30 days before was");
  await mail.first().getByRole("link", { name: "Unsubscribe" }).click();
  await expect(page.getByText("Stop emails when a product on your wishlist costs less?")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Unsubscribe" }).click();
  await expect(page.getByRole("status")).toContainText("you will no longer get emails when a product on your wishlist costs less");
  await page.goto("/account/notifications");
  await expect(page.getByLabel("Price drops on your wishlist")).not.toBeChecked();
  await expect(page.getByLabel("Reminders to review what you bought")).toBeChecked();
});

test("an admin reads every message the shop sends, as text and as HTML", async ({ page }, testInfo) => {
  await logIn(page, "admin@demo.bazaar.test", "demo-pass-2026");
  await page.goto("/admin");
  await page.getByRole("link", { name: "Messages the shop sends" }).click();
  const messages = page.getByRole("navigation", { name: "Messages" });
  await expect(messages.getByRole("link")).toHaveCount(34);
  await messages.getByRole("link", { name: "Order shipped", exact: true }).click();
  await expect(page.getByRole("heading", { level: 2, name: "Order shipped" })).toBeVisible();
  await expect(page.getByText("Subject: Your Bazaar order BZ-7Q2K-1 has shipped")).toBeVisible();
  await expect(page.getByLabel("Plain text")).toContainText("Carrier: Royal Mail, tracking number AB123456789GB");
  const html = page.getByTitle("HTML version of: Order shipped").contentFrame();
  await expect(html.getByRole("link", { name: /royalmail\.com/ })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/admin-emails-${testInfo.project.name}.png`, fullPage: true });
  await messages.getByRole("link", { name: "Text message: order shipped" }).click();
  await expect(page.getByRole("heading", { level: 3, name: "Text message" })).toBeVisible();
  await expect(page.getByTitle(/^HTML version of/)).toHaveCount(0);

  // The email's HTML on its own, as a mail client shows it: accessible too.
  await page.goto("/admin/emails/preview/order_confirmation");
  await expect(page.getByText("Thank you for your order BZ-7Q2K.")).toBeVisible();
  await expectAccessible(page);
});
