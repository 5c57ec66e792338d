import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { createHmac } from "node:crypto";

// Steps shared by the shopping journeys (not a spec file: Playwright only runs *.spec.ts).

export type Pick = { url: string; title: string; seller: string; available: number };

/** Two products in stock (first variant) from two different sellers, found through the public API, past the
 * `skip` first (a journey that must not share its products with another). */
export async function twoSellers(request: APIRequestContext, skip = 0): Promise<[Pick, Pick]> {
  const list = await (await request.get("/api/v1/products/search?per_page=60")).json();
  const picks: Pick[] = [];
  for (const r of list.results.slice(skip)) {
    const p = await (await request.get(`/api/v1/products/${r.id}`)).json();
    const first = p.variants.find((v: { available: number }) => v.available >= 3);
    if (!first || picks.some((q) => q.seller === p.seller.name)) continue;
    picks.push({ url: r.url, title: r.name, seller: p.seller.name, available: first.available });
    if (picks.length === 2) return [picks[0], picks[1]];
  }
  throw new Error("the seeded catalog has no two sellers with stock");
}

export async function addToCart(page: Page, pick: Pick, quantity: number, expectedCount: number) {
  await page.goto(pick.url);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  // Choose the first variant that is in stock, as a shopper would.
  const radios = page.getByRole("radio");
  const n = await radios.count();
  for (let i = 0; i < n; i++) {
    await radios.nth(i).check();
    if (await page.getByRole("button", { name: "Add to cart" }).isEnabled()) break;
  }
  await page.getByLabel("Quantity").fill(String(quantity));
  const url = page.url();
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added to your cart." })).toBeVisible();
  expect(page.url()).toBe(url); // no page load
  await expect(page.getByRole("link", { name: new RegExp(`Cart ${expectedCount} items? in cart`) })).toBeVisible();
}


/** axe-core over the page as it is now: no serious or critical violation (each is named with where it is). */
export async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
  expect(bad, `axe-core on ${page.url()}`).toEqual([]);
}

/** Every console error and uncaught exception of `page` from now on. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return errors;
}

export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** The demo admin's two-factor key (`bazaar seed` prints it; the README lists it). */
export const DEMO_ADMIN_TOTP_SECRET = "DEMOADMINBAZAARTWOFACTORKEY23456";

/** The admins the journeys sign in as, with the key their codes come from. */
function twoFactorKeyOf(email: string): string | undefined {
  if (email === "admin@demo.bazaar.test") return DEMO_ADMIN_TOTP_SECRET;
  if (email === process.env.E2E_ADMIN_EMAIL) return process.env.E2E_ADMIN_TOTP_SECRET;
  return undefined;
}

function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...text.replace(/=+$/, "").toUpperCase()].map((c) => alphabet.indexOf(c).toString(2).padStart(5, "0")).join("");
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The six-digit code an authenticator app holding `key` shows for 30-second step `step` (RFC 6238). */
export function totpCode(key: string, step = Math.floor(Date.now() / 30_000)): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32(key)).update(counter).digest();
  const at = mac[mac.length - 1] & 15;
  const n = (((mac[at] & 0x7f) << 24) | (mac[at + 1] << 16) | (mac[at + 2] << 8) | mac[at + 3]) % 1_000_000;
  return String(n).padStart(6, "0");
}

/** The newest step used per key: a code works once, so the next sign-in uses a later step (one step early is
 * accepted; a third sign-in within the same step waits). */
const lastStep = new Map<string, number>();

/** Types a code for `key` into the second step's form, waiting for a new step when this one's was used. */
export async function enterCode(page: Page, key: string): Promise<void> {
  const now = Math.floor(Date.now() / 30_000);
  const step = Math.max(now, (lastStep.get(key) ?? 0) + 1);
  if (step > now + 1) await page.waitForTimeout((step - 1) * 30_000 - Date.now() + 500);
  lastStep.set(key, step);
  await page.getByLabel("Code", { exact: true }).fill(totpCode(key, step));
  await page.getByRole("button", { name: "Sign in" }).click();
  // A retried test runs in a new worker, which does not know the step an earlier one spent: wait for a new step.
  const refused = page.getByText("That code is not right.");
  const signedIn = page.getByRole("button", { name: /account menu/ });
  await expect(refused.or(signedIn)).toBeVisible();
  if (await refused.isVisible()) {
    const next = Math.floor(Date.now() / 30_000) + 1;
    await page.waitForTimeout(next * 30_000 - Date.now() + 500);
    lastStep.set(key, next);
    await page.getByLabel("Code", { exact: true }).fill(totpCode(key, next));
    await page.getByRole("button", { name: "Sign in" }).click();
  }
}

export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  const key = twoFactorKeyOf(email);
  if (key) {
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Enter your code");
    await enterCode(page, key);
  }
  await expect(page.getByRole("button", { name: /account menu/ })).toBeVisible();
}

/**
 * Fills and sends the registration form on the page open now (the register page), then signs in from the login
 * page it leads to, as a new shopper does: registration signs nobody in (it answers the same for a taken address).
 */
export async function registerAndLogIn(page: Page, name: string, email: string, password: string): Promise<void> {
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("status")).toContainText("We sent a message to the address you gave");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("button", { name: /account menu/ })).toBeVisible();
}

/** Opens the confirmation link mailed to `email` (the development mailbox) and confirms the address. */
export async function confirmEmail(page: Page, email: string): Promise<void> {
  const mail = page.getByRole("article", { name: "Welcome to Bazaar: confirm your email" }).filter({ hasText: `To ${email}` });
  await expect(async () => {
    await page.goto("/dev/mailbox");
    await expect(mail.first()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await mail.first().getByRole("link", { name: "Open the link" }).click();
  await expect(page.getByText(`Confirm that ${email} is your address?`)).toBeVisible();
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page.getByRole("status")).toContainText("Your email is confirmed");
}

/** Rows as a spreadsheet saves them: a cell holding a comma, quote or line break is quoted. */
export function toCsv(rows: string[][]): string {
  const quote = (c: string) => (/[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  return rows.map((r) => r.map(quote).join(",")).join("\n") + "\n";
}

/** An import applies in the background: its page shows the bar until the seller checks again and it is done. */
export async function expectImported(page: Page, text: string) {
  await expect(async () => {
    const check = page.getByRole("link", { name: "Check progress" });
    if (await check.isVisible()) await check.click();
    await expect(page.getByRole("status").first()).toContainText(text, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
}

/** Uploads `rows` as a Shopify-named CSV on the import page, rows without a category going to Cookware. */
export async function checkFile(page: Page, rows: string[][]) {
  await page.goto("/seller/products/import");
  await page.getByLabel("Catalog file (CSV, up to 20 MB)").setInputFiles({
    name: "products_export.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(toCsv(rows), "utf8"),
  });
  await page.getByLabel("Category for rows that name none").selectOption({ label: "Home & Kitchen › Cookware" });
  await page.getByRole("button", { name: "Check the file" }).click();
}

/** The import's pictures come in the background: the seller follows them by reloading its page. */
export async function expectPictures(page: Page, text: string) {
  const pictures = page.getByRole("region", { name: "Pictures" });
  await expect(async () => {
    await page.reload();
    await expect(pictures).toContainText(text, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
}

/** Fills the guest's checkout details and goes on to the review. */
export async function detailsAsGuest(shopper: Page, email: string, name: string) {
  await shopper.goto("/checkout");
  await shopper.getByLabel("Email").fill(email);
  await shopper.getByLabel("Full name").fill(name);
  await shopper.getByLabel("Street address").fill("1 Market Street");
  await shopper.getByLabel("City").fill("San Francisco");
  await shopper.getByLabel("Postal code").fill("94105");
  await shopper.getByLabel("Country").selectOption("US");
  await shopper.getByLabel("Phone (optional)").fill("+1 415 555 0100");
  await shopper.getByRole("button", { name: "Continue to review" }).click();
}

/** Checks out the guest's cart with the test gateway's approved card (and `promo`, if given): the order's number. */
export async function payAsGuest(shopper: Page, email: string, name: string, promo?: string): Promise<string> {
  await detailsAsGuest(shopper, email, name);
  if (promo) {
    await shopper.getByRole("textbox", { name: "Promo code" }).fill(promo);
    await shopper.getByRole("button", { name: "Apply code" }).click();
    await expect(shopper.getByRole("status").filter({ hasText: `Code ${promo}: 15 % off items from` })).toBeVisible();
  }
  await shopper.getByRole("button", { name: /^Pay \$/ }).click();
  await shopper.getByLabel("Card number").fill("4242 4242 4242 4242");
  await shopper.getByRole("button", { name: /^Pay \$/ }).click();
  await expect(shopper.getByRole("heading", { name: "Thank you! Your order is confirmed." })).toBeVisible();
  return ((await shopper.getByRole("heading", { level: 1 }).textContent()) ?? "").replace("Order ", "");
}

/** Two products of the store `slug` with at least 3 units of their first variant in stock, through the public API. */
export async function twoOfStore(request: APIRequestContext, slug: string): Promise<[Pick, Pick]> {
  const list = await (await request.get(`/api/v1/products/search?seller=${slug}&in_stock=1&per_page=40`)).json();
  const picks: Pick[] = [];
  for (const r of list.results) {
    const p = await (await request.get(`/api/v1/products/${r.id}`)).json();
    const first = p.variants.find((v: { available: number }) => v.available >= 3);
    if (!first || p.seller.slug !== slug) continue;
    picks.push({ url: r.url, title: r.name, seller: p.seller.name, available: first.available });
    if (picks.length === 2) return [picks[0], picks[1]];
  }
  throw new Error(`the store ${slug} has no two products in stock`);
}

/** Signs in as a demo store's seller (`phone`: the portal's menu is behind a button) and finds a product of its
 * store in stock; `openMenu` opens the portal's menu where it is folded. */
export async function asStoreSeller(page: Page, request: APIRequestContext, email: string, phone: boolean) {
  await logIn(page, email, "demo-pass-2026");
  const openMenu = async () => {
    if (phone) await page.getByRole("navigation", { name: "Seller portal" }).getByText("Menu").click();
  };
  await page.goto("/seller");
  await openMenu();
  const storefront = (await page.getByRole("link", { name: "View your storefront" }).first().getAttribute("href")) ?? "";
  const [item] = await twoOfStore(request, storefront.replace("/store/", ""));
  return { item, openMenu };
}
