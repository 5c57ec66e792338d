import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { confirmEmail, expectAccessible, logIn, registerAndLogIn, totpCode } from "./shop";

function uniqueEmail(testInfo: TestInfo, who: string): string {
  return `${who}-${testInfo.project.name}-${Date.now()}@example.com`;
}

async function waitForHydration(page: Page): Promise<void> {
  // Set by an island's effect: proves the wasm loaded and the islands hydrated.
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

async function register(page: Page, name: string, email: string, password: string): Promise<void> {
  await page.goto("/register");
  await waitForHydration(page);
  await registerAndLogIn(page, name, email, password);
}

test("a visitor registers, logs out, logs back in and edits the profile", async ({ page }, testInfo) => {
  // A blocked script (CSP) or a failed hydration shows up as a console error.
  const consoleErrors: string[] = [];
  page.on("console", (msg) => {
    // Answers 4xx to a wrong form are expected; the browser logs each one as a failed resource.
    if (msg.type() === "error" && !/status of 4\d\d/.test(msg.text())) consoleErrors.push(msg.text());
  });
  page.on("pageerror", (err) => consoleErrors.push(String(err)));
  const email = uniqueEmail(testInfo, "ada");
  const password = "analytical-engine-1843";

  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("independent sellers");
  await page.getByRole("link", { name: "Register" }).click();
  await expect(page).toHaveURL(/\/register/);
  await register(page, "Ada Lovelace", email, password);

  // Signed in: the header shows the account menu, which only opens once the page has hydrated.
  const menuButton = page.getByRole("button", { name: /account menu/ });
  await expect(menuButton).toContainText("Ada Lovelace");
  await waitForHydration(page);
  await expect(menuButton).toHaveAttribute("aria-expanded", "false");
  await menuButton.click();
  await expect(menuButton).toHaveAttribute("aria-expanded", "true");
  const accountNav = page.getByRole("navigation", { name: "Account and cart" });
  await expect(accountNav.getByRole("link", { name: "Your account", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();

  // Log in again.
  await page.getByRole("link", { name: "Log in" }).click();
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("button", { name: /account menu/ })).toBeVisible();

  // Edit the profile.
  await page.getByRole("button", { name: /account menu/ }).click();
  await accountNav.getByRole("link", { name: "Your account", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expectAccessible(page);
  await waitForHydration(page);
  const profile = page.getByRole("form", { name: "Profile" });
  await profile.getByLabel("Name").fill("Augusta Ada King");
  await profile.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();
  await expect(page.getByRole("button", { name: /account menu/ })).toContainText("Augusta Ada King");

  // A wrong current password is reported next to its field, and nothing changes.
  const passwordForm = page.getByRole("form", { name: "Change password" });
  await passwordForm.getByLabel("Current password").fill("not-my-password");
  await passwordForm.getByLabel("New password", { exact: true }).fill("difference-engine-1822");
  await passwordForm.getByLabel("Confirm new password").fill("difference-engine-1822");
  await passwordForm.getByRole("button", { name: "Change password" }).click();
  await expect(passwordForm.getByText("The current password is not correct.")).toBeVisible();
  await expect(passwordForm.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);

  // The right one works (the form came back empty: it is a plain post, decision 0008).
  await passwordForm.getByLabel("Current password").fill(password);
  await passwordForm.getByLabel("New password", { exact: true }).fill("difference-engine-1822");
  await passwordForm.getByLabel("Confirm new password").fill("difference-engine-1822");
  await passwordForm.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed.")).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test("registration explains what is wrong, never whether an address has an account, and the address is confirmed from the mailed link", async ({ page }, testInfo) => {
  const email = uniqueEmail(testInfo, "twin");
  await register(page, "First Twin", email, "twin-password-2026");
  // Not confirmed yet: the account page says so and offers a new link.
  await page.goto("/account");
  const unconfirmed = page.getByRole("form", { name: "Confirm your email" });
  await expect(unconfirmed).toContainText("is not confirmed yet");
  await expectAccessible(page);
  await unconfirmed.getByRole("button", { name: "Send the link again" }).click();
  await expect(page.getByRole("form", { name: "Confirm your email" }).getByRole("status")).toContainText("We sent a new link.");
  await page.screenshot({ path: `test-results/email-unconfirmed-${testInfo.project.name}.png`, fullPage: true });
  // A request of the page still in flight would set the session cookie again after it is cleared (seen: the
  // second registration then opened signed in): let the page settle first.
  await page.waitForLoadState("networkidle");
  await page.context().clearCookies();

  // Someone registers the same address: the same answer as for a new one; the owner is told by mail.
  await page.goto("/register");
  await waitForHydration(page);
  await page.getByLabel("Name").fill("Second Twin");
  await page.getByLabel("Email").fill(email.toUpperCase());
  await page.getByLabel("Password").fill("another-password-2026");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("status")).toContainText("We sent a message to the address you gave");
  await expect(page).toHaveURL(/\/login\?registered=1/);
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/registered-${testInfo.project.name}.png`, fullPage: true });
  const told = page.getByRole("article", { name: "Someone tried to create a Bazaar account with your email" }).filter({ hasText: `To ${email}` });
  await expect(async () => {
    await page.goto("/dev/mailbox");
    await expect(told).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });

  // The link confirms the address (from any browser: it reached the address).
  await confirmEmail(page, email);
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/email-confirmed-${testInfo.project.name}.png`, fullPage: true });
  await page.goto("/dev/mailbox");
  await page.getByRole("article", { name: "Welcome to Bazaar: confirm your email" }).filter({ hasText: `To ${email}` }).first().getByRole("link", { name: "Open the link" }).click();
  await expect(page.getByRole("alert")).toContainText("already used or has expired");

  await page.goto("/register");
  await waitForHydration(page);
  await page.getByLabel("Name").fill("Second Twin");
  await page.getByLabel("Email").fill(uniqueEmail(testInfo, "fresh"));
  await page.getByLabel("Password").fill("password123");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("This password is one of the most common")).toBeVisible();
  await expect(page).toHaveURL(/\/register/);
});

test("a wrong password gets the same answer as an unknown email", async ({ page }, testInfo) => {
  const email = uniqueEmail(testInfo, "same");
  await register(page, "Same Answer", email, "same-answer-pass-1");
  await expect(page.getByRole("button", { name: /account menu/ })).toBeVisible();
  // A request still in flight after registering (the page's own fetches) would set the session cookie again
  // after it is cleared: let the page settle first.
  await page.waitForLoadState("networkidle");
  await page.context().clearCookies();
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Log in" }).click();
  const wrong = await page.getByRole("alert").filter({ hasText: "incorrect" }).textContent();
  await page.getByLabel("Email").fill(`nobody-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByLabel("Email")).toHaveValue("");
  await expect(page.getByRole("alert").filter({ hasText: "incorrect" })).toHaveText(wrong ?? "");
  await expectAccessible(page);
});

test("an admin sees the Admin link and the dashboard; a shopper does not", async ({ page }, testInfo) => {
  await register(page, "Plain Shopper", uniqueEmail(testInfo, "plain"), "plain-shopper-pass-9");
  await expect(page.getByRole("button", { name: /account menu/ })).toBeVisible();
  await expect(page.getByRole("link", { name: "Admin", exact: true })).toHaveCount(0);
  const forbidden = await page.goto("/admin");
  expect(forbidden?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This page is not for your account" })).toBeVisible();
  await expectAccessible(page);
  await page.waitForLoadState("networkidle");
  await page.context().clearCookies();

  const adminEmail = process.env.E2E_ADMIN_EMAIL;
  const adminPassword = process.env.E2E_ADMIN_PASSWORD;
  if (!adminEmail || !adminPassword) throw new Error("run through scripts/e2e.sh, which creates the admin and sets E2E_ADMIN_*");
  await logIn(page, adminEmail!, adminPassword!);
  await page.getByRole("link", { name: "Admin", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Admin dashboard" })).toBeVisible();
  await expect(page.getByText("Shoppers")).toBeVisible();
  await expectAccessible(page);
});

test("an unknown address shows the 404 page inside the shop", async ({ page }) => {
  const response = await page.goto("/this/page/does/not/exist");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "We could not find that page" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Back to the shop" }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("a forgotten password is reset from the emailed link, and every device signed in is signed out", async ({ browser, page }, testInfo) => {
  const email = uniqueEmail(testInfo, "forgetful");
  await register(page, "Forgetful Fay", email, "first-secret-2026");
  await expect(page.getByRole("button", { name: /account menu/ })).toContainText("Forgetful Fay");

  // Another browser, signed out, forgot the password.
  const other = await browser.newContext();
  const visitor = await other.newPage();
  await visitor.goto("/login");
  await visitor.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(visitor.getByRole("heading", { level: 1 })).toHaveText("Forgot your password?");
  await expectAccessible(visitor);
  await visitor.getByLabel("Email").fill(email);
  await visitor.getByRole("button", { name: "Send the link" }).click();
  await expect(visitor.getByRole("status")).toContainText("If an account uses this address");
  await visitor.screenshot({ path: `test-results/forgot-password-${testInfo.project.name}.png`, fullPage: true });

  // The link arrives in the development mailbox.
  await expect(async () => {
    await visitor.goto("/dev/mailbox");
    const mail = visitor.getByRole("article").filter({ hasText: `To ${email}` }).filter({ hasText: "new Bazaar password" });
    await expect(mail.first()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  const mail = visitor.getByRole("article").filter({ hasText: `To ${email}` }).filter({ hasText: "new Bazaar password" });
  await mail.first().getByRole("link", { name: "Open the link" }).click();
  await expect(visitor.getByRole("heading", { level: 1 })).toHaveText("Choose a new password");
  await expectAccessible(visitor);

  // Passwords that differ are refused; then the new one is saved.
  await visitor.getByLabel("New password", { exact: true }).fill("second-secret-2026");
  await visitor.getByLabel("Confirm new password").fill("second-secret-2062");
  await visitor.getByRole("button", { name: "Save the new password" }).click();
  await expect(visitor.getByText("The two passwords do not match.")).toBeVisible();
  await visitor.getByLabel("New password", { exact: true }).fill("second-secret-2026");
  await visitor.getByLabel("Confirm new password").fill("second-secret-2026");
  await visitor.getByRole("button", { name: "Save the new password" }).click();
  await expect(visitor.getByRole("status")).toContainText("Your new password is saved");
  await visitor.screenshot({ path: `test-results/reset-password-done-${testInfo.project.name}.png`, fullPage: true });

  // The first browser was signed out; the new password signs in; the link is spent.
  await page.reload();
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
  await visitor.getByLabel("Email").fill(email);
  await visitor.getByLabel("Password").fill("second-secret-2026");
  await visitor.getByRole("button", { name: "Log in" }).click();
  await expect(visitor.getByRole("button", { name: /account menu/ })).toContainText("Forgetful Fay");
  await visitor.goto("/dev/mailbox");
  await mail.first().getByRole("link", { name: "Open the link" }).click();
  await expect(visitor.getByRole("alert")).toContainText("already used or has expired");
  await expect(visitor.getByRole("link", { name: "Ask for a new link" })).toBeVisible();
  await other.close();
});

test("an email changes only when the link sent to the new address is opened", async ({ page }, testInfo) => {
  const email = uniqueEmail(testInfo, "mover");
  const newEmail = uniqueEmail(testInfo, "moved");
  const password = "moving-house-2026";
  await register(page, "Mover Mo", email, password);
  await page.goto("/account");
  const form = page.getByRole("form", { name: "Change email" });

  // The password is asked.
  await form.getByLabel("New email").fill(newEmail);
  await form.getByLabel("Your password").fill("not-my-password");
  await form.getByRole("button", { name: "Send the link" }).click();
  await expect(form.getByText("The password is not correct.")).toBeVisible();
  await form.getByLabel("New email").fill(newEmail);
  await form.getByLabel("Your password").fill(password);
  await form.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "We sent a link to the new address" })).toBeVisible();
  await expect(page.getByRole("definition").getByText(email, { exact: true })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/email-change-asked-${testInfo.project.name}.png`, fullPage: true });

  // The link arrives at the new address; the old one is told.
  const mail = page.getByRole("article", { name: "Confirm your new Bazaar email" }).filter({ hasText: newEmail });
  await expect(async () => {
    await page.goto("/dev/mailbox");
    await expect(mail.first()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await expect(page.getByRole("article", { name: "A change of your Bazaar email was asked" }).filter({ hasText: `To ${email}` })).toBeVisible();
  await mail.first().getByRole("link", { name: "Open the link" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your new email");
  await expect(page.getByText(`Make ${newEmail} your Bazaar account's email?`)).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Use this email" }).click();
  await expect(page.getByRole("status")).toContainText("Your email is changed");
  await page.goto("/account");
  await expect(page.getByRole("definition").getByText(newEmail, { exact: true })).toBeVisible();
});

test("the security page lists where the account is signed in and signs out another device", async ({ browser, page }, testInfo) => {
  const email = uniqueEmail(testInfo, "devices");
  const password = "two-devices-2026";
  await register(page, "Dev Ice", email, password);
  const other = await browser.newContext();
  const phone = await other.newPage();
  await phone.goto("/login");
  await waitForHydration(phone);
  await phone.getByLabel("Email").fill(email);
  await phone.getByLabel("Password").fill(password);
  await phone.getByRole("button", { name: "Log in" }).click();
  await expect(phone.getByRole("button", { name: /account menu/ })).toBeVisible();

  await page.goto("/account");
  await page.getByRole("link", { name: "Where you are signed in" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Where you are signed in");
  const devices = page.getByRole("list", { name: "Signed-in devices" }).getByRole("listitem");
  await expect(devices).toHaveCount(2);
  await expect(devices.first()).toContainText("This device");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/security-${testInfo.project.name}.png`, fullPage: true });

  await devices.filter({ hasNotText: "This device" }).getByRole("button", { name: /^Sign out/ }).click();
  await expect(page.getByRole("status")).toContainText("That device was signed out.");
  await expect(devices).toHaveCount(1);
  await phone.reload();
  await expect(phone.getByRole("link", { name: "Log in" })).toBeVisible();
  await other.close();
});

test("a shopper turns on two-factor sign-in, signs in with a recovery code, and turns it off", async ({ page }, testInfo) => {
  const email = uniqueEmail(testInfo, "twofactor");
  const password = "second-factor-2026";
  await register(page, "Tess Factor", email, password);
  // Only a confirmed address turns it on (whoever registered someone else's address must not lock its owner out).
  await page.goto("/account/two-factor");
  await expect(page.getByRole("alert")).toContainText("Confirm your email address first");
  await confirmEmail(page, email);
  await page.goto("/account");
  await page.getByRole("link", { name: "Two-factor sign-in" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Two-factor sign-in");
  await expect(page.getByRole("img", { name: "QR code holding your key" })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/two-factor-setup-${testInfo.project.name}.png`, fullPage: true });
  const key = ((await page.getByRole("paragraph").filter({ hasText: /^Key:/ }).textContent()) ?? "").replace("Key:", "").trim();
  expect(key).toMatch(/^[A-Z2-7]{32}$/);

  // A wrong code is refused; the app's code turns it on and the recovery codes are shown once.
  const turnOn = page.getByRole("form", { name: "Turn on two-factor sign-in" });
  await turnOn.getByLabel("Code from the app").fill("000000");
  await turnOn.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByText("That code is not right.")).toBeVisible();
  await page.getByRole("form", { name: "Turn on two-factor sign-in" }).getByLabel("Code from the app").fill(totpCode(key));
  await page.getByRole("form", { name: "Turn on two-factor sign-in" }).getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Two-factor sign-in is on." })).toBeVisible();
  const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.first().textContent()) ?? "";
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/two-factor-codes-${testInfo.project.name}.png`, fullPage: true });

  // Signing in asks for a code; a recovery code serves once.
  await page.waitForLoadState("networkidle");
  await page.context().clearCookies();
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Enter your code");
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/two-factor-login-${testInfo.project.name}.png`, fullPage: true });
  await page.getByLabel("Code", { exact: true }).fill(recovery);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: /account menu/ })).toContainText("Tess Factor");

  // Turning it off asks for the password and a code.
  await page.goto("/account/two-factor");
  await expect(page.getByText("Recovery codes left: 9.")).toBeVisible();
  const off = page.getByRole("form", { name: "Turn off two-factor sign-in" });
  await off.getByLabel("Your password").fill(password);
  await off.getByLabel("Code", { exact: true }).fill(totpCode(key, Math.floor(Date.now() / 30_000) + 1));
  await off.getByRole("button", { name: "Turn off" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Two-factor sign-in is off." })).toBeVisible();
  await expect(page.getByRole("form", { name: "Turn on two-factor sign-in" })).toBeVisible();
});
