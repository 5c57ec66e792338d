import { expect, test } from "@playwright/test";
import { addToCart, asStoreSeller, expectAccessible, logIn, payAsGuest, registerAndLogIn } from "./shop";

// Issue 22: a shopper whose order was delivered writes a review → it shows on the product page and in its rating
// → another shopper finds it helpful and reports it → the store replies from its portal → an admin keeps it.

/** A 2×2 PNG. */
const TINY_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4YaMBRAwQCgAjXgSxbgN+HAAAAABJRU5ErkJggg==";

test("a delivered order's buyer reviews it, the store replies, and an admin decides a report", async ({ page, browser, request }, testInfo) => {
  const phone = testInfo.project.name === "phone";
  const run = `${testInfo.project.name}-${Date.now()}`;
  const { item, openMenu } = await asStoreSeller(page, request, phone ? "seller16@demo.bazaar.test" : "seller15@demo.bazaar.test", phone);
  const origin = new URL(page.url()).origin;

  // A new shopper buys one and pays.
  const buyerContext = await browser.newContext({ baseURL: origin, viewport: page.viewportSize() });
  const buyer = await buyerContext.newPage();
  const email = `reviewer-${run}@example.com`;
  await buyer.goto("/register");
  await registerAndLogIn(buyer, "Rita Reviewer", email, "correct-horse-77");
  await addToCart(buyer, item, 1, 1);
  const group = await payAsGuest(buyer, email, "Rita Reviewer");
  const number = `${group}-1`;
  await expect(buyer.getByRole("link", { name: `Review the items of order ${number}` })).toHaveCount(0);

  // The store ships it and it is delivered.
  await page.goto(`/seller/orders/${number}`);
  const ship = page.getByRole("form", { name: "Ship items" });
  await ship.getByLabel("Carrier").selectOption({ label: "UPS" });
  await ship.getByLabel("Tracking number").fill("1Z999AA10123456784");
  await ship.getByRole("button", { name: "Ship and email the shopper" }).click();
  await page.getByRole("button", { name: "Mark delivered" }).click();
  await expect(page.getByRole("status")).toContainText("Marked delivered");

  // The buyer finds the item waiting for a review from the order's page, and writes one.
  await buyer.reload();
  await buyer.getByRole("link", { name: `Review the items of order ${number}` }).click();
  await expect(buyer.getByRole("heading", { level: 1, name: "Your reviews" })).toBeVisible();
  await expectAccessible(buyer);
  await buyer.getByRole("link", { name: `Write a review of ${item.title}`, exact: false }).first().click();
  await expect(buyer.getByRole("heading", { level: 1, name: "Write a review" })).toBeVisible();
  // Nothing chosen: the form says what is missing and keeps what was typed.
  await buyer.getByLabel("Title").fill("Sturdy and <b>honest</b>");
  await buyer.getByRole("button", { name: "Publish review" }).click();
  await expect(buyer.getByRole("alert").filter({ hasText: "Choose from 1 to 5 stars." }).first()).toBeVisible();
  await expect(buyer.getByLabel("Title")).toHaveValue("Sturdy and <b>honest</b>");
  await expectAccessible(buyer);
  await buyer.getByLabel("Rating").selectOption({ label: "4 stars: good" });
  await buyer.getByLabel("Your review (optional)").fill("Arrived well packed.\nDoes what it says.");
  await buyer.getByRole("button", { name: "Publish review" }).click();
  await expect(buyer.getByRole("status")).toContainText("your review is published");
  // The buyer rates the store of the order (one rating per order); the store's page shows it, and search finds the
  // store's products among stores rated 4 stars and up.
  const rating = buyer.getByRole("group", { name: new RegExp(`order ${number}`) });
  await rating.getByLabel("5 stars").check();
  await buyer.getByLabel(/^Comment on .* \(optional\)$/).fill("Quick to ship, <i>kind</i> note.");
  await buyer.getByRole("button", { name: new RegExp(`^Rate the store.* for order ${number}$`) }).click();
  await expect(buyer.getByRole("status")).toContainText("your rating of the store is published");
  await expect(buyer.getByRole("group", { name: new RegExp(`order ${number}`) }).getByLabel("5 stars")).toBeChecked();
  await expectAccessible(buyer);
  await buyer.screenshot({ path: `test-results/account-reviews-${testInfo.project.name}.png`, fullPage: true });
  // The buyer adds pictures to the review: a file that is no picture is refused with why, the picture shows.
  await buyer.getByRole("link", { name: `Edit your review of ${item.title}` }).click();
  await buyer.getByLabel(/^Add pictures/).setInputFiles([
    { name: "desk.png", mimeType: "image/png", buffer: Buffer.from(TINY_PNG, "base64") },
    { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a picture") },
  ]);
  await buyer.getByRole("button", { name: "Upload pictures" }).click();
  await expect(buyer.getByRole("status")).toContainText("1 picture added.");
  await expect(buyer.getByRole("alert").filter({ hasText: "Not added:" })).toContainText("notes.txt: Upload a PNG, JPEG or WebP image.");
  await expect(buyer.getByRole("list", { name: "Pictures of your review" }).getByRole("img")).toHaveCount(1);
  await expectAccessible(buyer);
  await buyer.screenshot({ path: `test-results/review-pictures-${testInfo.project.name}.png`, fullPage: true });
  await buyer.goto("/account/reviews");
  await buyer.getByRole("link", { name: /: store page$/ }).first().click();
  const storeRatings = buyer.getByRole("region", { name: "Store rating" });
  await expect(async () => {
    await buyer.reload();
    await expect(storeRatings.getByText("Quick to ship, <i>kind</i> note.")).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await expect(storeRatings.getByRole("list", { name: "Store ratings by stars" })).toBeVisible();
  await expectAccessible(buyer);
  await buyer.screenshot({ path: `test-results/store-ratings-${testInfo.project.name}.png`, fullPage: true });
  await buyer.goto(`/search?q=${encodeURIComponent(item.title)}`);
  await buyer.getByRole("link", { name: /^Stores rated 4 stars & up/ }).click();
  await expect(buyer).toHaveURL(/store_rating=4/);
  await expect(buyer.getByRole("heading", { level: 3, name: item.title }).first()).toBeVisible();

  // It shows on the product page (a fresh visitor: the cached page was refreshed), as text, with its rating.
  const readerContext = await browser.newContext({ baseURL: origin, viewport: page.viewportSize() });
  const reader = await readerContext.newPage();
  const review = reader.getByRole("article", { name: "Sturdy and <b>honest</b>" });
  await expect(async () => {
    await reader.goto(item.url);
    await expect(review).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await expect(review).toContainText("Rita R.");
  await expect(review).toContainText("Verified purchase");
  await expect(review).toContainText("Does what it says.");
  await expect(review.getByRole("list", { name: "Pictures from Rita R." }).getByRole("img")).toHaveCount(1);
  const reviews = reader.getByRole("region", { name: "Customer reviews" });
  await expect(reviews.getByRole("list", { name: "Reviews by rating" })).toBeVisible();
  await expectAccessible(reader);
  await reader.screenshot({ path: `test-results/product-reviews-${testInfo.project.name}.png`, fullPage: true });
  // Only four-star reviews: this one among them.
  await reviews.getByRole("link", { name: /^4 ★ 4 stars:/ }).click();
  await expect(reader.getByText(/^Showing \d+ reviews? with 4 stars\.$/)).toBeVisible();
  await expect(review).toBeVisible();

  // A visitor is asked to sign in before voting; a signed-in reader's vote counts, and a report goes to admins.
  await review.getByRole("button", { name: /^Helpful \(0\)/ }).click();
  await expect(reader.getByRole("alert")).toContainText("Sign in to vote on or report a review.");
  await reader.getByRole("link", { name: "Sign in" }).click();
  await reader.getByRole("link", { name: /Create an account|Register/ }).first().click();
  await registerAndLogIn(reader, "Rob Reader", `reader-${run}@example.com`, "correct-horse-77");
  await reader.goto(item.url + "?reviews=helpful");
  await review.getByRole("button", { name: /^Helpful \(0\)/ }).click();
  await expect(reviews.getByRole("status")).toContainText("your vote is counted");
  await expect(review.getByRole("button", { name: /^Helpful \(1\)/ })).toBeVisible();
  await review.getByText(/^Report the review/).click();
  await review.getByLabel("Why are you reporting it?").selectOption({ label: "Not about this product" });
  await review.getByRole("button", { name: "Send report" }).click();
  await expect(reviews.getByRole("status")).toContainText("our moderators will read the review");

  // The store replies once from its portal.
  await page.goto("/seller");
  await openMenu();
  await page.getByRole("link", { name: "Reviews" }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: "Reviews" })).toBeVisible();
  await page.getByRole("link", { name: /^Waiting for a reply/ }).click();
  await page.getByLabel("Your public reply to Rita R.").first().fill("Thank you, Rita!");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Publish reply" }).first().click();
  await expect(page.getByRole("status")).toContainText("Your reply is published");
  await page.screenshot({ path: `test-results/seller-reviews-${testInfo.project.name}.png`, fullPage: true });
  await expect(async () => {
    await reader.goto(item.url);
    await expect(review).toContainText("Thank you, Rita!", { timeout: 500 });
  }).toPass({ timeout: 10_000 });

  // An admin reads the report without the stars and keeps the review.
  const adminContext = await browser.newContext({ baseURL: origin, viewport: page.viewportSize() });
  const admin = await adminContext.newPage();
  await logIn(admin, "admin@demo.bazaar.test", "demo-pass-2026");
  await admin.goto("/admin/reviews");
  const reported = admin.getByRole("listitem").filter({ hasText: "Sturdy and <b>honest</b>" });
  await expect(reported).toContainText("Not about this product (1)");
  await expect(reported).not.toContainText("★");
  await expectAccessible(admin);
  await admin.screenshot({ path: `test-results/admin-reviews-${testInfo.project.name}.png`, fullPage: true });
  await reported.getByRole("button", { name: /^Keep it published/ }).click();
  await expect(admin.getByRole("status")).toContainText("The review stays published");
  await expect(reported).toHaveCount(0);

  // How reviews work, linked from the rating.
  await reader.goto(item.url);
  await reader.getByRole("link", { name: "How reviews work" }).first().click();
  await expect(reader.getByRole("heading", { level: 1, name: "How reviews work" })).toBeVisible();
  await expectAccessible(reader);
  await Promise.all([buyerContext.close(), readerContext.close(), adminContext.close()]);
});
