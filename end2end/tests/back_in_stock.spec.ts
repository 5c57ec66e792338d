import { expect, test } from "@playwright/test";
import { expectAccessible, logIn } from "./shop";

// Issue 22: back in stock. A seller's variant sells out → a visitor asks "Notify me" with their email → confirms it
// from the mailed link → the seller restocks → one "Back in stock" email arrives.

test("a visitor is emailed once when a sold-out variant is back", async ({ page, browser }, testInfo) => {
  await logIn(page, "seller5@demo.bazaar.test", "demo-pass-2026");
  // Sorted by title: a save moves a product up the default order. Each project its own product, from the end
  // (the price-history journey takes the first two; sharing one would not matter: stock is not price).
  await page.goto("/seller/products?sort=title");
  const rows = page.getByRole("table").getByRole("row");
  const last = (await rows.count()) - 1;
  await rows.nth(testInfo.project.name === "phone" ? last - 1 : last).getByRole("link").first().click();
  const variant = ((await page.getByLabel(/^Price of /).first().getAttribute("aria-label")) ?? "").replace(/^Price of /, "");
  const cells = page.getByLabel(new RegExp(`^Stock of ${variant.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} in `));
  for (const cell of await cells.all()) await cell.fill("0");
  await page.getByRole("button", { name: "Save product" }).click();
  await expect(page.getByRole("status")).toContainText("Product saved.");
  const productUrl = (await page.getByRole("link", { name: "View on the storefront" }).getAttribute("href")) ?? "";

  const visitor = await (await browser.newContext({ viewport: page.viewportSize() ?? undefined })).newPage();
  const email = `waiting-${testInfo.project.name}-${Date.now()}@example.com`;
  await visitor.goto(productUrl);
  const notify = visitor.getByRole("form", { name: "Sold out? Get an email when it is back" });
  const choice = notify.getByLabel("Sold-out option");
  if (await choice.count()) await choice.selectOption({ label: variant });
  await notify.getByLabel("Your email").fill(email);
  await notify.getByRole("button", { name: "Notify me" }).click();
  await expect(visitor.getByRole("status").filter({ hasText: "Check your email" })).toBeVisible();
  await expectAccessible(visitor);
  await visitor.screenshot({ path: `test-results/notify-me-${testInfo.project.name}.png`, fullPage: true });

  const link = visitor.getByRole("article", { name: /^Confirm: email me when / }).filter({ hasText: `To ${email}` });
  await expect(async () => {
    await visitor.goto("/dev/mailbox");
    await expect(link).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await link.getByRole("link", { name: "Open the link" }).click();
  await expect(visitor.getByText(/^Email this address once when .+ is back in stock\?$/)).toBeVisible();
  await expectAccessible(visitor);
  await visitor.getByRole("button", { name: "Yes, email me" }).click();
  await expect(visitor.getByRole("status").filter({ hasText: "Done: we will email you once" })).toBeVisible();

  // The seller restocks; the worker mails within seconds.
  await cells.first().fill("5");
  await page.getByRole("button", { name: "Save product" }).click();
  await expect(page.getByRole("status")).toContainText("Product saved.");
  const back = visitor.getByRole("article", { name: /^Back in stock: / }).filter({ hasText: `To ${email}` });
  await expect(async () => {
    await visitor.goto("/dev/mailbox");
    await expect(back).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 30_000 });
  await expect(back).toHaveCount(1);
  await visitor.context().close();
});
