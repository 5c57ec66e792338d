import { expect, test } from "@playwright/test";
import { expectAccessible, logIn, registerAndLogIn } from "./shop";

// Issue 23, first slice: an admin finds an account, suspends it (the shopper is signed out at once and told why
// they cannot sign in), reads the change in the audit log with its before → after and reason, and reactivates it.

test("an admin suspends an account, reads it in the audit log, and reactivates it", async ({ page, browser }, testInfo) => {
  const origin = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  const stamp = `${Date.now()}${testInfo.project.name}`;
  const email = `suspend-${stamp}@example.com`;
  const name = `Sam Suspended ${testInfo.project.name}`;
  const password = "suspend-me-please-2026";

  const shopperContext = await browser.newContext({ baseURL: origin, viewport: page.viewportSize() });
  const shopper = await shopperContext.newPage();
  await shopper.goto("/register");
  await registerAndLogIn(shopper, name, email, password);

  await logIn(page, "admin@demo.bazaar.test", "demo-pass-2026");
  await page.goto("/admin");
  await expectAccessible(page);
  const nav = page.getByRole("navigation", { name: "Admin" });
  if (testInfo.project.name === "phone") await nav.getByText("Menu").click();
  await nav.getByRole("link", { name: "Accounts" }).last().click();
  await expect(page.getByRole("heading", { level: 1, name: "Accounts" })).toBeVisible();
  await page.getByLabel("Name or email").fill(email);
  await page.getByRole("search", { name: "Search accounts" }).getByRole("button", { name: "Search" }).click();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/admin-users-${testInfo.project.name}.png`, fullPage: true });
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByText("Active", { exact: true })).toBeVisible();
  await expectAccessible(page);

  // Suspend, with the reason the log keeps (signed in just now: no password asked).
  await page.getByText(`Suspend ${name}…`).click();
  await page.getByLabel("Reason (kept in the audit log)").first().fill("Card testing from this account");
  await page.getByRole("button", { name: `Suspend ${name}: sign them out everywhere` }).click();
  await expect(page.getByRole("status")).toContainText("Account suspended");
  await expect(page.getByText("Suspended", { exact: true }).first()).toBeVisible();
  await page.screenshot({ path: `test-results/admin-user-${testInfo.project.name}.png`, fullPage: true });

  // The shopper is signed out at once, and told why they cannot sign in.
  await shopper.goto("/account");
  await expect(shopper).toHaveURL(/\/login/);
  await shopper.getByLabel("Email").fill(email);
  await shopper.getByLabel("Password").fill(password);
  await shopper.getByRole("button", { name: "Log in" }).click();
  await expect(shopper.getByRole("alert").filter({ hasText: "This account is suspended" })).toBeVisible();

  // The audit log shows who did it, before → after, and the reason.
  await page.goto("/admin/audit");
  await page.getByLabel("Action").selectOption({ label: "Account suspended" });
  await page.getByLabel("Words").fill(name);
  await page.getByRole("search", { name: "Search the audit log" }).getByRole("button", { name: "Search" }).click();
  const entry = page.getByRole("listitem").filter({ hasText: name }).first();
  await expect(entry).toContainText("Account suspended");
  await expect(entry).toContainText("Demo Admin");
  await expect(entry.getByRole("row", { name: /state/ })).toContainText("Active");
  await expect(entry.getByRole("row", { name: /state/ })).toContainText("Suspended");
  await expect(entry).toContainText("Reason: Card testing from this account");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/admin-audit-${testInfo.project.name}.png`, fullPage: true });

  // Reactivated from the account's page (linked from the entry), the shopper signs in again.
  await entry.getByRole("link", { name }).click();
  await page.getByText(`Reactivate ${name}…`).click();
  await page.getByLabel("Reason (kept in the audit log)").first().fill("The bank cleared it");
  await page.getByRole("button", { name: "Reactivate the account" }).click();
  await expect(page.getByRole("status")).toContainText("Account reactivated");
  await shopper.getByLabel("Email").fill(email);
  await shopper.getByLabel("Password").fill(password);
  await shopper.getByRole("button", { name: "Log in" }).click();
  await expect(shopper.getByRole("button", { name: /account menu/ })).toBeVisible();
  await shopperContext.close();
});
