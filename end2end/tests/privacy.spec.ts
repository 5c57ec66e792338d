import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { confirmEmail, expectAccessible, registerAndLogIn } from "./shop";

// Issue 22: a shopper downloads everything held about the account as JSON, then erases the account: signed out,
// a last email, and the password no longer signs anyone in.

test("a shopper downloads their data and erases their account", async ({ page }, testInfo) => {
  const email = `private-${testInfo.project.name}-${Date.now()}@example.com`;
  await page.goto("/register");
  await registerAndLogIn(page, "Petra Private", email, "correct-horse-77");
  // A confirmed address: the erasure then takes every mail sent to it (one it never proved may be someone else's).
  await confirmEmail(page, email);

  await page.goto("/account");
  await page.getByRole("link", { name: "Your data: download or erase" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your data" })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/privacy-${testInfo.project.name}.png`, fullPage: true });

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download your data (JSON)" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^bazaar-account-\d{4}-\d{2}-\d{2}\.json$/);
  const data = JSON.parse(await readFile(await download.path(), "utf8"));
  expect(data.account.email).toBe(email);
  expect(data.account.name).toBe("Petra Private");
  expect(data.orders).toEqual([]);

  // A wrong password erases nothing and says why.
  const form = page.getByRole("form", { name: "Erase your account" });
  await form.getByLabel("Your password").fill("not-my-password");
  await form.getByLabel("I understand that an erased account cannot be brought back").check();
  await form.getByRole("button", { name: "Erase my account" }).click();
  await expect(page.getByText("The password is not correct.")).toBeVisible();
  await expectAccessible(page);

  await form.getByLabel("Your password").fill("correct-horse-77");
  await form.getByLabel("I understand that an erased account cannot be brought back").check();
  await form.getByRole("button", { name: "Erase my account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your account was erased" })).toBeVisible();
  await expect(page.getByRole("button", { name: /account menu/ })).toHaveCount(0);
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/erased-${testInfo.project.name}.png`, fullPage: true });

  // The receipt is the one mail left for the address.
  const receipt = page.getByRole("article", { name: "Your Bazaar account was erased" }).filter({ hasText: `To ${email}` });
  await expect(async () => {
    await page.goto("/dev/mailbox");
    await expect(receipt).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await expect(page.getByRole("article").filter({ hasText: `To ${email}` })).toHaveCount(1);

  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct-horse-77");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("The email or password is incorrect.")).toBeVisible();
});
