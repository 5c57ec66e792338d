import { expect, Page, test } from "@playwright/test";
import { expectAccessible, logIn } from "./shop";

// Issue 23, second slice: an admin finds a seller's store from its account, suspends it with a ground and a
// reason (its listings leave the storefront at once, its seller reads why in the portal), holds and releases its
// payouts, gives it a commission rate of its own and takes it back, and reactivates it; the audit log keeps each
// change. The journey leaves the store as it found it.

/** Puts the store open on `page` back as the seed made it, when an earlier attempt of this journey stopped half way
 * (a retry must not start from a suspended store). */
async function restore(page: Page, storeName: string) {
  if (await page.getByText(`Reactivate ${storeName}…`).isVisible()) {
    await page.getByText(`Reactivate ${storeName}…`).click();
    await page.locator("#reactivate-reason").fill("An earlier attempt of this journey stopped");
    await page.getByRole("button", { name: "Reactivate the store" }).click();
    await expect(page.getByRole("status")).toContainText("Store reactivated");
  }
  if (await page.getByText("Release payouts…").isVisible()) {
    await page.getByText("Release payouts…").click();
    await page.locator("#hold-reason").fill("An earlier attempt of this journey stopped");
    await page.getByRole("button", { name: "Release the payouts" }).click();
    await expect(page.getByRole("status")).toContainText("Payouts released");
  }
  if (await page.getByText(/the store's own rate/).isVisible()) {
    await page.getByText("Change the commission…").click();
    await page.getByLabel("The store's rate, in %").fill("");
    await page.locator("#commission-reason").fill("An earlier attempt of this journey stopped");
    await page.getByRole("button", { name: "Change the commission" }).click();
    await expect(page.getByRole("status")).toContainText("Commission changed");
  }
}

test("an admin suspends a store, which leaves the storefront, and reactivates it", async ({ page, browser }, testInfo) => {
  const origin = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  const phone = testInfo.project.name === "phone";
  const sellerEmail = "seller18@demo.bazaar.test";

  await logIn(page, "admin@demo.bazaar.test", "demo-pass-2026");
  await page.goto("/admin/users");
  await page.getByLabel("Name or email").fill(sellerEmail);
  await page.getByRole("search", { name: "Search accounts" }).getByRole("button", { name: "Search" }).click();
  await page.getByRole("row").filter({ hasText: sellerEmail }).getByRole("link").first().click();
  await page.getByRole("definition").getByRole("link").first().click();
  const storeName = (await page.getByRole("heading", { level: 1 }).textContent()) ?? "";
  await restore(page, storeName);
  await expect(page.getByText("Selling", { exact: true }).first()).toBeVisible();
  await expectAccessible(page);
  const storefront = (await page.getByRole("link", { name: /^\/store\// }).getAttribute("href")) ?? "";

  // A shopper has one of its products open.
  const shopperContext = await browser.newContext({ baseURL: origin, viewport: page.viewportSize() });
  const shopper = await shopperContext.newPage();
  await shopper.goto(storefront);
  await shopper.getByRole("article").first().getByRole("heading").getByRole("link").click();
  const productUrl = shopper.url();
  await expect(shopper.getByRole("heading", { level: 1 })).toBeVisible();

  // Suspended, with a ground and the reason the seller reads (signed in just now: no password asked).
  await page.getByText(`Suspend ${storeName}…`).click();
  await page.getByLabel("Ground").selectOption({ label: "Orders not shipped" });
  await page.getByLabel("Reason (the seller reads it; kept in the audit log)").fill("Twelve orders late by a week");
  await page.getByRole("button", { name: "Suspend the store: take its listings off sale" }).click();
  await expect(page.getByRole("status")).toContainText("Store suspended");
  await expect(page.getByText("Orders not shipped: Twelve orders late by a week")).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/admin-store-${testInfo.project.name}.png`, fullPage: true });

  await expect(async () => {
    await shopper.goto(productUrl);
    await expect(shopper.getByRole("heading", { level: 1 })).toHaveText("We could not find that page", { timeout: 500 });
  }).toPass({ timeout: 10_000 });

  // The seller reads why in the portal.
  const sellerContext = await browser.newContext({ baseURL: origin, viewport: page.viewportSize() });
  const seller = await sellerContext.newPage();
  await logIn(seller, sellerEmail, "demo-pass-2026");
  await seller.goto("/seller");
  const alert = seller.getByRole("alert").filter({ hasText: "Your store is suspended" });
  await expect(alert).toContainText("Orders not shipped: Twelve orders late by a week");
  await expectAccessible(seller);
  await seller.screenshot({ path: `test-results/seller-suspended-${testInfo.project.name}.png`, fullPage: true });

  // Payouts held and released; a commission of its own, then the platform's again.
  await page.getByText("Hold payouts…").click();
  await page.locator("#hold-reason").fill("Until the late orders ship");
  await page.getByRole("button", { name: "Hold the payouts" }).click();
  await expect(page.getByRole("status")).toContainText("Payouts held");
  await page.getByText("Release payouts…").click();
  await page.locator("#hold-reason").fill("Orders shipped");
  await page.getByRole("button", { name: "Release the payouts" }).click();
  await expect(page.getByRole("status")).toContainText("Payouts released");
  await page.getByText("Change the commission…").click();
  await page.getByLabel("The store's rate, in %").fill("7.5");
  await page.locator("#commission-reason").fill("Volume deal");
  await page.getByRole("button", { name: "Change the commission" }).click();
  await expect(page.getByText("7.5 % (the store's own rate)")).toBeVisible();
  await page.getByText("Change the commission…").click();
  await page.getByLabel("The store's rate, in %").fill("");
  await page.locator("#commission-reason").fill("Deal ended");
  await page.getByRole("button", { name: "Change the commission" }).click();
  await expect(page.getByText(/\(the platform's rate/)).toBeVisible();

  // Reactivated: the product is on sale again.
  await page.getByText(`Reactivate ${storeName}…`).click();
  await page.locator("#reactivate-reason").fill("All late orders shipped");
  await page.getByRole("button", { name: "Reactivate the store" }).click();
  await expect(page.getByRole("status")).toContainText("Store reactivated");
  await expect(async () => {
    await shopper.goto(productUrl);
    await expect(shopper.getByRole("heading", { level: 1 })).not.toHaveText("We could not find that page", { timeout: 500 });
  }).toPass({ timeout: 10_000 });

  // The store's trail keeps each change with before → after.
  const trail = page.getByRole("region", { name: "Audit trail" });
  for (const action of ["Store suspended", "Payouts held", "Payouts released", "Commission changed", "Store reactivated"]) {
    await expect(trail.getByRole("listitem").filter({ hasText: action }).first()).toBeVisible();
  }
  await expect(trail.getByRole("listitem").filter({ hasText: "Commission changed" }).first()).toContainText("7.5 %");

  // And the list finds it by name.
  const nav = page.getByRole("navigation", { name: "Admin" });
  if (phone) await nav.getByText("Menu").click();
  await nav.getByRole("link", { name: "Stores" }).last().click();
  await page.getByLabel("Store name").fill(storeName);
  await page.getByRole("search", { name: "Search stores" }).getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("link", { name: storeName })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/admin-stores-${testInfo.project.name}.png`, fullPage: true });
  await shopperContext.close();
  await sellerContext.close();
});
