import { expect, test } from "@playwright/test";
import { addToCart, expectAccessible, logIn, payAsGuest, twoSellers } from "./shop";

// Issue 23, fourth and fifth slices: the admins' orders. A shopper's checkout is found by the customer's name and
// its state, opened with its store's order, payment and items, and given an internal note; the admin cancels the
// store's unit (their password asked again: the clock moved a day and the journeys' shop asks above 1.00), and the
// audit log shows it; a wrong amount in the filters is told what to type.

test("an admin finds a shopper's order, reads its payment and notes it", async ({ page, browser }, testInfo) => {
  // A checkout, the admin's two-factor sign-in and axe on four pages: past 60 s on a slow machine.
  test.setTimeout(120_000);
  const origin = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  const project = testInfo.project.name;
  const customer = `Orders Journey ${project} ${Date.now()}`;

  const shopperContext = await browser.newContext({ baseURL: origin, viewport: page.viewportSize() });
  const shopper = await shopperContext.newPage();
  const [pick] = await twoSellers(shopper.request, 30);
  await addToCart(shopper, pick, 1, 1);
  const number = await payAsGuest(shopper, `orders-${project}-${Date.now()}@example.com`, customer);
  await shopperContext.close();

  await logIn(page, "admin@demo.bazaar.test", "demo-pass-2026");
  await page.goto("/admin/orders");
  await expect(page.getByRole("heading", { level: 1, name: "Orders" })).toBeVisible();
  await page.getByLabel("Order number, customer or email").fill(customer);
  await page.getByLabel("State").selectOption({ label: "To ship" });
  await page.getByRole("search", { name: "Search orders" }).getByRole("button", { name: "Search" }).click();
  const row = page.getByRole("row").filter({ hasText: customer });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(pick.seller);
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/admin-orders-${project}.png`, fullPage: true });

  await row.getByRole("link", { name: number }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Order ${number}` })).toBeVisible();
  const payments = page.getByRole("region", { name: "Payments and refunds" });
  await expect(payments).toContainText("Test gateway");
  await expect(payments).toContainText("succeeded");
  await expect(page.getByRole("region", { name: new RegExp(`^${pick.seller.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} · `) })).toContainText(pick.title);

  const note = `Shopper asked to leave the parcel at the door (${project})`;
  await page.getByLabel("Add a note").fill(note);
  await page.getByRole("button", { name: "Add the note" }).click();
  await expect(page.getByRole("status")).toContainText("Note added");
  await expect(page.getByRole("region", { name: "Internal notes" })).toContainText(note);
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/admin-order-${project}.png`, fullPage: true });

  // A day later the admin's sign-in no longer covers a refund: the password is asked, refused without it.
  const moved = await page.request.post("/test/clock", { form: { days: "1" }, headers: { Origin: origin } });
  expect(moved.ok()).toBeTruthy();
  await page.getByRole("link", { name: /^Refund or cancel items of / }).click();
  const heading = page.getByRole("heading", { level: 1, name: /^Refund or cancel / });
  const storeOrder = ((await heading.textContent()) ?? "").replace("Refund or cancel ", "");
  const cancel = page.getByRole("form", { name: "Cancel items" });
  const unit = cancel.getByLabel(new RegExp(`^${pick.title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  await unit.fill("1");
  await cancel.getByRole("button", { name: "Cancel and refund these units" }).click();
  await expect(page.getByRole("alert")).toContainText("enter your password to confirm it");
  await expect(unit).toHaveValue("1");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/admin-refund-form-${project}.png`, fullPage: true });
  await cancel.getByLabel("Your password (for a large refund)").fill("demo-pass-2026");
  await cancel.getByRole("button", { name: "Cancel and refund these units" }).click();
  await expect(page.getByRole("status")).toContainText("Units cancelled and refunded");
  await expect(page.getByText("Nothing more can be cancelled or refunded on this order.")).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/admin-refund-${project}.png`, fullPage: true });

  await page.goto("/admin/audit?action=order.cancelled");
  const entry = page.getByRole("listitem").filter({ hasText: storeOrder });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText("Order items cancelled");
  const status = entry.getByRole("row").filter({ hasText: "status" });
  await expect(status.getByRole("cell")).toHaveText(["Paid", "Cancelled"]);
  await expectAccessible(page);

  await page.goto("/admin/orders");
  await page.getByLabel("Total at least").fill("ten");
  await page.getByRole("search", { name: "Search orders" }).getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("alert")).toHaveText("Type an amount like 25 or 25.50 (at most 1000000).");
  await expectAccessible(page);
});
