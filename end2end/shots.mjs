// Screenshots of the shopping pages at phone and desktop widths (not a test): node shots.mjs BASE_URL OUT_DIR
import { chromium } from "@playwright/test";
const [base, out] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
for (const [name, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 900 }]]) {
  const page = await browser.newPage({ viewport });
  const list = await (await page.request.get(`${base}/api/v1/products/search?per_page=40`)).json();
  const sellers = new Set();
  for (const r of list.results) {
    const p = await (await page.request.get(`${base}/api/v1/products/${r.id}`)).json();
    if (sellers.has(p.seller.name) || !p.variants.some((v) => v.available >= 3)) continue;
    sellers.add(p.seller.name);
    await page.goto(base + r.url);
    await page.waitForSelector("body[data-hydrated=true]");
    if (sellers.size === 1) await page.screenshot({ path: `${out}/${name}-product.png`, fullPage: true });
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.getByText("Added to your cart.").waitFor();
    if (sellers.size === 1) await page.screenshot({ path: `${out}/${name}-added.png` });
    if (sellers.size === 2) break;
  }
  await page.goto(base + "/cart");
  await page.screenshot({ path: `${out}/${name}-cart.png`, fullPage: true });
  await page.goto(base + "/checkout");
  await page.getByLabel("Email").fill(`shots-${name}@example.com`);
  await page.getByLabel("Full name").fill("Shot Taker");
  await page.getByLabel("Street address").fill("5 Camera Road");
  await page.getByLabel("City").fill("Berlin");
  await page.getByLabel("Postal code").fill("10115");
  await page.getByLabel("Country").selectOption("DE");
  await page.screenshot({ path: `${out}/${name}-checkout.png`, fullPage: true });
  await page.getByRole("button", { name: "Continue to review" }).click();
  await page.getByRole("textbox", { name: "Promo code" }).fill("NOPE");
  await page.getByRole("button", { name: "Apply code" }).click();
  await page.screenshot({ path: `${out}/${name}-promo-error.png`, fullPage: true });
  await page.getByRole("textbox", { name: "Promo code" }).fill("WELCOME10");
  await page.getByRole("button", { name: "Apply code" }).click();
  await page.screenshot({ path: `${out}/${name}-review.png`, fullPage: true });
  await page.getByRole("button", { name: /^Pay/ }).click();
  await page.getByLabel("Card number").fill("4000 0000 0000 0002");
  await page.getByRole("button", { name: /^Pay/ }).click();
  await page.screenshot({ path: `${out}/${name}-declined.png`, fullPage: true });
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: /^Pay/ }).click();
  await page.getByText("Thank you!").waitFor();
  await page.screenshot({ path: `${out}/${name}-order.png`, fullPage: true });
  await page.goto(base + "/dev/mailbox");
  await page.screenshot({ path: `${out}/${name}-mailbox.png`, fullPage: true });
  await page.close();
}
await browser.close();
