import { expect, test, type Page } from "@playwright/test";
import { addToCart, expectAccessible, registerAndLogIn, twoSellers } from "./shop";

async function fillAddress(page: Page) {
  await page.getByLabel("Full name").fill("Ada Shopper");
  await page.getByLabel("Street address").fill("1 Market Street");
  await page.getByLabel("City").fill("San Francisco");
  await page.getByLabel("Postal code").fill("94105");
  await page.getByLabel("Country").selectOption("US");
}

test("a new account checks out two sellers' items, pays, and finds the order and its email", async ({ page, request }, info) => {
  const [a, b] = await twoSellers(request);
  await addToCart(page, a, 1, 1);
  await addToCart(page, b, 1, 2);

  const email = `buyer-${info.project.name}-${Date.now()}@example.com`;
  await page.getByRole("link", { name: "Register" }).click();
  await expectAccessible(page);
  await registerAndLogIn(page, "Ada Shopper", email, "a long and unusual passphrase");
  await expect(page.getByRole("link", { name: /Cart 2 items in cart/ })).toBeVisible();

  await page.getByRole("link", { name: /Cart 2 items/ }).click();
  await expect(page.getByRole("region", { name: `Sold by ${a.seller}` })).toBeVisible();
  await expect(page.getByRole("region", { name: `Sold by ${b.seller}` })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Check out" }).click();
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await expectAccessible(page);
  await fillAddress(page);
  await page.getByRole("group", { name: `Shipping from ${b.seller}` }).getByRole("radio", { name: /^Express/ }).check();
  await page.getByRole("button", { name: "Continue to review" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Review your order" })).toBeVisible();
  await expect(page.getByRole("region", { name: `From ${a.seller}` })).toContainText(a.title);
  await expect(page.getByRole("region", { name: `From ${b.seller}` })).toContainText("Shipping: Express");
  await expect(page.getByText("Tax 7.25 %")).toBeVisible();
  await expect(page.getByRole("note")).toContainText("Test mode");
  await expectAccessible(page);

  // A promo code: a wrong one says why, the demo's welcome code takes 10 % off.
  const fullTotal = (await page.getByRole("button", { name: /^Pay \$/ }).textContent()) ?? "";
  await page.getByRole("textbox", { name: "Promo code" }).fill("NOPE123");
  await page.getByRole("button", { name: "Apply code" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "We don't know the code NOPE123" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("textbox", { name: "Promo code" }).fill("welcome10");
  await page.getByRole("button", { name: "Apply code" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Code WELCOME10: 10 % off everything" })).toBeVisible();
  await expect(page.getByText("Discount (WELCOME10)")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Pay \$/ })).not.toHaveText(fullTotal);

  const pay = page.getByRole("button", { name: /^Pay \$\d+\.\d\d$/ });
  const total = ((await pay.textContent()) ?? "").replace("Pay ", "");
  await pay.click();

  // The test gateway's hosted page.
  await expect(page.getByText("TEST MODE")).toBeVisible();
  await expectAccessible(page);
  await expect(page.getByText(total, { exact: true })).toBeVisible();
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: `Pay ${total}` }).click();

  await expect(page.getByRole("heading", { name: "Thank you! Your order is confirmed." })).toBeVisible();
  const number = ((await page.getByRole("heading", { level: 1 }).textContent()) ?? "").replace("Order ", "");
  expect(number).toMatch(/^BZ-[0-9A-Z]{8}$/);
  await expect(page.getByRole("region", { name: `${number}-1 from`, exact: false })).toBeVisible();
  await expect(page.getByRole("region", { name: `${number}-2 from`, exact: false })).toBeVisible();
  await expect(page.getByRole("link", { name: /Cart 0 items in cart/ })).toBeVisible();
  await expectAccessible(page);

  // The account's order history.
  await page.goto("/account/orders");
  await page.getByRole("link", { name: number }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Order ${number}` })).toBeVisible();
  await expect(page.getByRole("list", { name: `Timeline of ${number}-1` })).toContainText("Paid");
  await expectAccessible(page);

  // The confirmation email, once.
  await expect(async () => {
    await page.goto("/dev/mailbox");
    await expect(page.getByRole("article", { name: `Your Bazaar order ${number} is confirmed` })).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await expect(page.getByRole("article", { name: `Your Bazaar order ${number} is confirmed` })).toContainText(email);
  await expectAccessible(page);
  await expect(page.getByRole("article", { name: `Your Bazaar order ${number} is confirmed` })).toContainText("Promo code WELCOME10");

  // The next checkout offers the saved address, filled in.
  await addToCart(page, a, 1, 1);
  await page.goto("/checkout");
  await expect(page.getByRole("region", { name: "Saved addresses" })).toContainText("1 Market Street, 94105 San Francisco, United States");
  await expect(page.getByLabel("Street address")).toHaveValue("1 Market Street");
});

test("a declined card says so clearly and the cart is kept", async ({ page, request }, info) => {
  const [a] = await twoSellers(request);
  await addToCart(page, a, 1, 1);
  await page.goto("/checkout");
  await page.getByLabel("Email").fill(`guest-${info.project.name}-${Date.now()}@example.com`);
  await fillAddress(page);
  // A mistake is reported next to its field and nothing typed is lost.
  await page.getByLabel("Postal code").fill("<941>");
  await page.getByRole("button", { name: "Continue to review" }).click();
  await expect(page.getByText("Use only letters, digits, spaces and hyphens.")).toBeVisible();
  await expectAccessible(page);
  await expect(page.getByLabel("City")).toHaveValue("San Francisco");
  await page.getByLabel("Postal code").fill("94105");
  await page.getByRole("button", { name: "Continue to review" }).click();

  await page.getByRole("button", { name: /^Pay \$/ }).click();
  await page.getByLabel("Card number").fill("4000 0000 0000 0002");
  await page.getByRole("button", { name: /^Pay \$/ }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Your card was declined." })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Card number").fill("4000 0000 0000 9995");
  await page.getByRole("button", { name: /^Pay \$/ }).click();
  await expect(page.getByRole("alert").filter({ hasText: "insufficient funds" })).toBeVisible();

  await page.getByRole("button", { name: "Cancel and return to the shop" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "nothing was charged" })).toBeVisible();
  await expect(page.getByRole("link", { name: /Cart 1 item in cart/ })).toBeVisible();
  await page.getByRole("link", { name: /Cart 1 item/ }).click();
  await expect(page.getByRole("link", { name: a.title })).toBeVisible();
});
