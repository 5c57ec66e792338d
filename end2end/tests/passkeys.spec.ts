import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { expectAccessible, registerAndLogIn, waitForHydration } from "./shop";

// Browsers bind passkeys to a host name, never an IP address: without PUBLIC_URL the shop takes them at localhost.
const base = (process.env.BASE_URL ?? "http://127.0.0.1:3000").replace("127.0.0.1", "localhost");
test.use({ baseURL: base });

function uniqueEmail(testInfo: TestInfo, who: string): string {
  return `${who}-${testInfo.project.name}-${Date.now()}@example.com`;
}

/** Chromium's own WebAuthn stack with a virtual platform authenticator that verifies its user (a fingerprint). */
async function withAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

test("a shopper adds a passkey, signs in with it without the password, and removes it", async ({ page }, testInfo) => {
  await withAuthenticator(page);
  const email = uniqueEmail(testInfo, "passkey");
  const password = "passkey-journey-2026";
  await page.goto("/register");
  await waitForHydration(page);
  await registerAndLogIn(page, "Pat Key", email, password);

  await page.goto("/account");
  await page.getByRole("link", { name: "Passkeys: sign in without your password" }).click();
  const passkeys = page.getByRole("region", { name: "Passkeys" });
  await expect(passkeys.getByText("You have no passkeys yet.")).toBeVisible();
  await passkeys.getByLabel(/^Name/).fill("This laptop");
  await passkeys.getByLabel("Your password").fill("not my password");
  await passkeys.getByRole("button", { name: "Add a passkey" }).click();
  await expect(passkeys.getByRole("alert")).toHaveText("The password is not correct.");
  await passkeys.getByLabel("Your password").fill(password);
  await passkeys.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("status")).toContainText("Your passkey was added");
  const item = page.getByRole("list", { name: "Your passkeys" }).getByRole("listitem");
  await expect(item).toHaveCount(1);
  await expect(item).toContainText("This laptop");
  await expect(item).toContainText("Not used yet");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/passkeys-security-${testInfo.project.name}.png`, fullPage: true });

  await page.getByRole("button", { name: /account menu/ }).click();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
  await page.goto("/login?next=%2Faccount%2Fsecurity");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/passkeys-login-${testInfo.project.name}.png`, fullPage: true });
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByRole("button", { name: /account menu/ })).toBeVisible();
  await expect(item).toContainText("Last used");

  await item.getByRole("button", { name: "Remove the passkey This laptop" }).click();
  await expect(page.getByRole("status")).toContainText("That passkey was removed.");
  await expect(passkeys.getByText("You have no passkeys yet.")).toBeVisible();

  // The passkey the device still holds opens nothing now.
  await page.getByRole("button", { name: /account menu/ }).click();
  await page.getByRole("button", { name: "Log out" }).click();
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "does not open an account here" })).toBeVisible();
});

test("at an IP address the login page says where passkeys work instead of offering them", async ({ page }) => {
  await page.goto((process.env.BASE_URL ?? "http://127.0.0.1:3000") + "/login");
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeHidden();
  await expect(page.getByText(/Passkeys .* work in a browser with JavaScript at http:\/\/localhost/)).toBeVisible();
});
