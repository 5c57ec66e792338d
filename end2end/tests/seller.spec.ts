import { expect, test, type Page } from "@playwright/test";
import { promises as fs } from "node:fs";
import { createHash } from "node:crypto";
import { checkFile, confirmEmail, expectAccessible, expectImported, expectPictures, logIn, registerAndLogIn, toCsv, waitForHydration } from "./shop";

// Becoming a seller, as people do it: a shopper applies, an admin approves, the new seller opens the portal.

async function logOut(page: Page): Promise<void> {
  await waitForHydration(page);
  await page.getByRole("button", { name: /account menu/ }).click();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
}

test("a shopper applies to sell, an admin approves, and the new seller opens the portal", async ({ page }, testInfo) => {
  const stamp = `${testInfo.project.name}-${Date.now()}`;
  const email = `maker-${stamp}@example.com`;
  const password = "copper-kettle-2026";
  const store = `Kettle Works ${testInfo.project.name} ${Date.now() % 100000}`;

  await page.goto("/register");
  await waitForHydration(page);
  await registerAndLogIn(page, "Mina Maker", email, password);

  // The footer's "Sell on Bazaar" leads to the application, once the address is confirmed.
  await page.getByRole("contentinfo").getByRole("link", { name: "Sell on Bazaar" }).click();
  await expect(page).toHaveURL(/\/sell$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sell on Bazaar");
  await expect(page.getByRole("form", { name: "Confirm your email" })).toContainText("is not confirmed yet");
  await expect(page.getByRole("button", { name: "Send application" })).toHaveCount(0);
  await expectAccessible(page);
  await confirmEmail(page, email);
  await page.goto("/sell");
  await page.getByLabel("Store name").fill(store);
  await page.getByLabel("Description").fill("Copper kettles, hammered by hand.");
  await page.getByLabel("Support email").fill("not an email");
  await page.getByLabel("Country").selectOption("GB");
  await page.getByLabel("Return window (days)").fill("14");
  await page.getByLabel("Return policy").fill("Unused kettles within 14 days.");
  await page.getByRole("button", { name: "Send application" }).click();

  // A wrong field: a summary linking to it, its own message, and everything typed still there.
  const summary = page.getByRole("alert").filter({ hasText: "Please correct these fields" });
  await expect(summary.getByRole("link", { name: /Support email: Enter an email address/ })).toBeVisible();
  await expect(page.getByLabel("Support email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Store name")).toHaveValue(store);
  await expect(page.getByLabel("Return policy")).toHaveValue("Unused kettles within 14 days.");
  await expect(page.getByLabel("Country")).toHaveValue("GB");
  await expectAccessible(page);
  await page.getByLabel("Support email").fill("help@kettle.example");
  await page.getByRole("button", { name: "Send application" }).click();
  await expect(page.getByRole("status")).toContainText("Application sent");
  await expect(page.getByText("Pending review")).toBeVisible();
  await expectAccessible(page);
  await logOut(page);

  // An admin finds it in the queue and approves it.
  await logIn(page, process.env.E2E_ADMIN_EMAIL!, process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole("link", { name: "Admin", exact: true }).click();
  await page.getByRole("link", { name: /Seller applications \(\d+ waiting\)/ }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Seller applications");
  const card = page.getByRole("article", { name: store });
  await expect(card).toContainText("Copper kettles, hammered by hand.");
  await expect(card).toContainText("Mina Maker");
  await expectAccessible(page);
  await card.getByRole("button", { name: `Approve ${store}` }).click();
  await expect(page.getByRole("status")).toContainText("Application approved");
  await expect(page.getByRole("article", { name: store })).toHaveCount(0);
  await logOut(page);

  // The applicant is told by email, and the account now runs the store.
  // The mail worker sends within a second or two: look again until it is there.
  await expect(async () => {
    await page.goto("/dev/mailbox");
    await expect(page.getByText(`${store} is approved: welcome to Bazaar`).first()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await logIn(page, email, password);
  await page.getByRole("link", { name: "Seller portal" }).click();
  await expect(page).toHaveURL(/\/seller$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Overview");
  const nav = page.getByRole("navigation", { name: "Seller portal" });
  await expect(nav).toContainText(store);
  if (testInfo.project.name === "phone") {
    // At phone width the navigation folds into a menu.
    await nav.getByText("Menu").click();
  }
  await expect(nav.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByText("Your store has no products yet.")).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-overview-${testInfo.project.name}.png`, fullPage: true });

  // The application page now points to the portal instead of a second application.
  await page.goto("/sell");
  await expect(page.getByRole("link", { name: "Go to the seller portal" })).toBeVisible();
});

test("a seller adds a product with a 2 × 2 matrix and two pictures, publishes it, and shoppers find it", async ({ page, request, browser }, testInfo) => {
  const title = `Hammered Kettle ${testInfo.project.name} ${Date.now() % 100000}`;
  // Two real pictures to upload: thumbnails of demo products, as files on a seller's disk would be.
  const search = await (await request.get("/api/v1/products/search?per_page=40")).json();
  const urls = [...new Set<string>(search.results.map((r: { image_url: string }) => r.image_url))].filter((u) => u.endsWith(".webp"));
  // Two different pictures: a thumbnail of a picture another run uploaded can be the very same bytes.
  const pictures: { name: string; mimeType: string; buffer: Buffer }[] = [];
  for (const url of urls) {
    const buffer = await (await request.get(url)).body();
    if (pictures.some((p) => p.buffer.equals(buffer))) continue;
    pictures.push({ name: `kettle-${pictures.length + 1}.webp`, mimeType: "image/webp", buffer });
    if (pictures.length === 2) break;
  }
  expect(pictures).toHaveLength(2);

  await logIn(page, "seller3@demo.bazaar.test", "demo-pass-2026");
  await page.goto("/seller");
  const nav = page.getByRole("navigation", { name: "Seller portal" });
  if (testInfo.project.name === "phone") await nav.getByText("Menu").click();
  await nav.getByRole("link", { name: "Products" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Products");
  await expectAccessible(page);
  await page.getByRole("link", { name: "Add product" }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Add product");

  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Category").selectOption({ label: "Home & Kitchen › Cookware" });
  await page.getByRole("textbox", { name: "Description", exact: true }).fill("Hammered by hand.\n\n- 1.5 litres\n- **Induction** ready");
  await page.getByRole("button", { name: "Preview description" }).click();
  const preview = page.getByRole("region", { name: "Preview, as the product page shows it" });
  await expect(preview.getByRole("listitem")).toHaveCount(2);
  await expect(preview.locator("strong")).toHaveText("Induction");
  await expect(page.getByLabel("Title", { exact: true })).toHaveValue(title);

  await page.getByLabel("Option 1 name").fill("Size");
  await page.getByLabel("Option 1 values").fill("S, M");
  await page.getByLabel("Option 2 name").fill("Colour");
  await page.getByLabel("Option 2 values").fill("Red, Blue");
  await page.getByLabel("Price of variant 1", { exact: true }).fill("24.50");
  await page.getByRole("button", { name: "Generate variants" }).click();
  for (const v of ["S / Red", "S / Blue", "M / Red", "M / Blue"]) {
    await expect(page.getByLabel(`Price of ${v}`, { exact: true })).toHaveValue("24.50");
  }
  await page.getByLabel("Price of M / Blue", { exact: true }).fill("26.00");
  await page.getByLabel(/^Stock of S \/ Red in /).first().fill("0");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Save product" }).click();
  await expect(page.getByRole("status")).toContainText("Product saved as a draft");
  await expect(page.getByRole("link", { name: "View on the storefront" })).toHaveCount(0);
  // A draft is previewed as its page will look, never sent to a storefront page shoppers cannot open.
  await page.getByRole("link", { name: "Preview", exact: true }).click();
  await expect(page.getByRole("note")).toContainText("Preview: shoppers do not see this product");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expectAccessible(page);
  await page.getByRole("link", { name: "Back to the editor" }).click();

  // A typo in the variant table is named at the top of the page with a link to its cell, and nothing says
  // "saved" (the address still holds the last save's ?saved=1).
  await page.getByLabel("Price of S / Blue", { exact: true }).fill("2x.50");
  await page.getByRole("button", { name: "Save product" }).click();
  const summary = page.getByRole("alert").filter({ hasText: "Please correct these fields" });
  await expect(summary.getByRole("link", { name: "Price of variant 2: Enter a price like 12.99." })).toBeVisible();
  await expect(page.getByRole("status")).not.toContainText("saved");
  await expectAccessible(page);
  await page.getByLabel("Price of S / Blue", { exact: true }).fill("24.50");

  // Publishing without a picture names what is missing; the form keeps what was typed.
  await page.getByLabel("Status").selectOption("active");
  await page.getByRole("button", { name: "Save product" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "To publish, add a picture" }).first()).toBeVisible();
  await expect(page.getByLabel("Price of M / Blue", { exact: true })).toHaveValue("26.00");

  // An edit not saved yet survives an upload: the upload sends the whole form and brings it back as typed.
  await page.getByLabel("Price of M / Blue", { exact: true }).fill("27.00");
  await page.getByLabel("Pictures (JPEG, PNG or WebP, up to 10 MB each)").setInputFiles(pictures);
  await page.getByRole("button", { name: "Upload pictures" }).click();
  await expect(page.getByRole("status")).toContainText("2 pictures added");
  await expect(page.getByLabel("Price of M / Blue", { exact: true })).toHaveValue("27.00");
  // A new picture has no alt text: the title tells a screen reader nothing, so the save asks for one.
  await expect(page.getByLabel("Alt text of picture 2")).toHaveValue("");
  await page.getByLabel("Alt text of picture 1").fill(`${title}, front`);
  await page.getByLabel("Status").selectOption("active");
  await page.getByRole("button", { name: "Save product" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Describe the picture for shoppers who cannot see it" }).first()).toBeVisible();
  await page.getByLabel("Alt text of picture 2").fill(`${title}, back`);
  await page.getByLabel("Title in search engines").fill(`${title}, hammered copper`);
  await page.getByLabel("Description in search engines").fill("A kettle hammered by hand, for every stove.");
  await page.getByLabel("Status").selectOption("active");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Save product" }).click();
  await expect(page.getByRole("status")).toContainText("Product saved");
  await page.screenshot({ path: `test-results/seller-product-${testInfo.project.name}.png`, fullPage: true });

  // The seller receives 5 units of S / Red on the stock screen, and the history says so.
  await page.goto("/seller/stock");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Stock");
  await page.getByLabel("Search stock").fill(title);
  await page.getByRole("button", { name: "Apply filters" }).click();
  const units = page.getByLabel(new RegExp(`^Units of ${title} / S / Red in `)).first();
  await units.fill("5");
  await page.getByLabel(new RegExp(`^Reason for ${title} / S / Red in `)).first().selectOption("received");
  await page.getByRole("button", { name: new RegExp(`^Apply the change to ${title} / S / Red in `) }).first().click();
  await expect(page.getByRole("status")).toContainText(`Stock of ${title} (S / Red) updated: 5 units`);
  const history = page.getByRole("region", { name: "Recent movements" });
  await expect(history.getByRole("row").filter({ hasText: `${title} (S / Red)` }).filter({ hasText: "Received" })).toContainText("+5");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-stock-${testInfo.project.name}.png`, fullPage: true });

  // A shopper finds it in search within a second or two, with its picture and variants.
  await expect(async () => {
    await page.goto(`/search?q=${encodeURIComponent(title)}`);
    await expect(page.getByRole("link", { name: title }).first()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await page.getByRole("link", { name: title }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  // Search engines see the seller's title and description.
  await expect(page).toHaveTitle(`${title}, hammered copper · Bazaar`);
  await expect(page.locator('meta[name="description"]')).toHaveAttribute("content", "A kettle hammered by hand, for every stove.");
  await expect(page.getByRole("img", { name: `${title}, front` }).first()).toBeVisible();
  await expect(page.getByRole("radio")).toHaveCount(4);
  await expect(page.getByText("Only 5 left").first()).toBeVisible();

  // A guest puts S / Red (the one in stock, picked already) in the cart; the seller then stops selling that variant:
  // the guest's cart says so, once, and the stock history still shows its movements.
  const guest = await browser.newContext({ baseURL: new URL(page.url()).origin });
  const shopper = await guest.newPage();
  await shopper.goto(page.url());
  await waitForHydration(shopper);
  await expect(shopper.getByRole("radio", { name: "S / Red", exact: true })).toBeChecked();
  await shopper.getByRole("button", { name: "Add to cart" }).click();
  await expect(shopper.getByRole("link", { name: /Cart 1 item in cart/ })).toBeVisible();
  await page.goto("/seller/products");
  await page.getByRole("search", { name: "Filter products" }).getByLabel("Search products").fill(title);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await page.getByRole("link", { name: title }).click();
  await page.getByRole("checkbox", { name: "Remove S / Red" }).check();
  await page.getByRole("button", { name: "Save product" }).click();
  await expect(page.getByRole("status")).toContainText("Product saved");
  await page.goto("/seller/stock");
  const moved = page.getByRole("region", { name: "Recent movements" }).getByRole("row").filter({ hasText: `${title} (S / Red)` });
  await expect(moved.filter({ hasText: "Received" })).toContainText("(removed)");
  await shopper.goto("/cart");
  await expect(shopper.getByText(`${title} (S / Red) is no longer sold by its store, so it was taken out of your cart.`)).toBeVisible();
  await expectAccessible(shopper);
  await shopper.reload();
  await expect(shopper.getByText("is no longer sold by its store")).toHaveCount(0);
  await guest.close();
});

test("a seller keeps the store's logo, policies, warehouses and shipping rates", async ({ page, request }, testInfo) => {
  const warehouse = `Overflow ${testInfo.project.name} ${Date.now() % 100000}`;
  await logIn(page, "seller4@demo.bazaar.test", "demo-pass-2026");
  await page.goto("/seller");
  const nav = page.getByRole("navigation", { name: "Seller portal" });
  if (testInfo.project.name === "phone") await nav.getByText("Menu").click();
  await nav.getByRole("link", { name: "Store settings" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Store settings");

  // A wrong field keeps what was typed.
  await page.getByLabel("Return policy").fill("Unused items within 45 days, in their box.");
  await page.getByLabel("Return window (days)").fill("forty-five");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Please correct these fields" })).toBeVisible();
  await expect(page.getByLabel("Return policy")).toHaveValue("Unused items within 45 days, in their box.");
  await page.getByLabel("Return window (days)").fill("45");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByRole("status")).toContainText("Store profile saved");
  await expect(page.getByLabel("Return window (days)")).toHaveValue("45");

  // The store's days are its own time zone's: the sales dashboard counts them there.
  await page.getByLabel(/^Time zone/).selectOption("Europe/Berlin");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByRole("status")).toContainText("Store profile saved");
  await expect(page.getByLabel(/^Time zone/)).toHaveValue("Europe/Berlin");
  await page.goto("/seller");
  await expect(page.getByText("(days in Europe/Berlin time)")).toBeVisible();
  await page.goto("/seller/settings");

  // The logo: a file that is no picture is refused with why; a picture is re-encoded and shown.
  const storeName = await page.getByLabel("Store name").inputValue();
  const logoField = page.getByLabel(/^Logo picture/);
  await logoField.setInputFiles({ name: "logo.svg", mimeType: "image/svg+xml", buffer: Buffer.from("<svg onload=alert(1)></svg>") });
  await page.getByRole("button", { name: "Upload logo" }).click();
  await expect(logoField).toHaveAttribute("aria-invalid", "true");
  const search = await (await request.get("/api/v1/products/search?per_page=10")).json();
  const url = search.results.map((r: { image_url: string }) => r.image_url).find((u: string) => u.endsWith(".webp"));
  await logoField.setInputFiles({ name: "logo.webp", mimeType: "image/webp", buffer: await (await request.get(url)).body() });
  await page.getByRole("button", { name: "Upload logo" }).click();
  await expect(page.getByRole("status")).toContainText("Logo saved");
  await expect(page.getByRole("img", { name: `${storeName} logo` })).toBeVisible();

  await page.getByLabel("Warehouse name").fill(warehouse);
  await page.getByLabel("Warehouse country").selectOption("NL");
  await page.getByRole("button", { name: "Add warehouse" }).click();
  await expect(page.getByRole("status")).toContainText("Warehouse saved");
  await page.getByText(`Remove ${warehouse}…`).click();
  await expectAccessible(page);
  await page.getByRole("button", { name: `Remove ${warehouse}`, exact: true }).click();
  await expect(page.getByRole("status")).toContainText("Warehouse removed");

  await page.getByLabel("Rate name").fill("Courier");
  await page.getByLabel("Destination").selectOption("DE");
  await page.getByLabel("Cost (USD)").fill("7.50");
  await page.getByRole("button", { name: "Add rate" }).click();
  await expect(page.getByRole("status")).toContainText("Shipping rates saved");
  await expect(page.getByRole("row").filter({ hasText: "Courier" }).first()).toContainText("$7.50");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-settings-${testInfo.project.name}.png`, fullPage: true });

  // Shoppers see the logo on the storefront.
  if (testInfo.project.name === "phone") await nav.getByText("Menu").click();
  await nav.getByRole("link", { name: "View your storefront" }).first().click();
  await expect(page.getByRole("img", { name: `${storeName} logo` })).toBeVisible();
});

/** A spreadsheet's CSV: quoted cells may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n") {
      row.push(cell.replace(/\r$/, ""));
      rows.push(row);
      row = [];
      cell = "";
    } else {
      cell += c;
    }
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}

test("a seller exports the catalog, changes one price in the file, and imports it back", async ({ page }, testInfo) => {
  await logIn(page, testInfo.project.name === "phone" ? "seller6@demo.bazaar.test" : "seller4@demo.bazaar.test", "demo-pass-2026");
  await page.goto("/seller/products");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/-products-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = await fs.readFile(await download.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const rows = parseCsv(bytes.toString("utf8").slice(1));
  const header = rows[0];
  const at = (name: string) => header.indexOf(name);
  expect(at("Handle")).toBe(0);
  // The first variant of a published product gets a price below every other: the storefront shows it.
  const row = rows.find((r) => r[at("Status")] === "active" && r[at("Variant Price")] !== "");
  expect(row).toBeDefined();
  const handle = row![at("Handle")];
  const old = row![at("Variant Price")];
  const price = "1.23";
  expect(old).not.toBe(price);
  row![at("Variant Price")] = price;

  await page.getByRole("link", { name: "Import CSV" }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Import products");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-import-${testInfo.project.name}.png`, fullPage: true });
  await page.getByLabel("Catalog file (CSV, up to 20 MB)").setInputFiles({
    name: "catalog.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("\ufeff" + toCsv(rows), "utf8"),
  });
  await page.getByRole("button", { name: "Check the file" }).click();

  // The dry run: exactly one change, the price, on its row; nothing written yet.
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Import of catalog.csv");
  const changes = page.getByRole("table", { name: "Changes" });
  // Rows with cells: at phone width the header row is folded into each row's labels.
  await expect(changes.getByRole("row").filter({ has: page.getByRole("cell") })).toHaveCount(1);
  await expect(changes).toContainText(`price ${old} → ${price}`);
  await expect(page.getByRole("table", { name: "Summary" }).getByRole("row", { name: /Variants/ })).toContainText("1");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-import-report-${testInfo.project.name}.png`, fullPage: true });
  await page.getByRole("button", { name: "Apply 1 change" }).click();
  await expectImported(page, "Imported: 0 products created, 1 updated; 0 variants created, 1 updated.");

  // The storefront shows the new price.
  await expect(async () => {
    await page.goto(`/p/${handle}`);
    await expect(page.getByText(`$${price}`).first()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
});

test("a seller imports a Shopify export as stores write it: SKUs with spaces, one SKU twice, a bad row skipped", async ({ page }, testInfo) => {
  await logIn(page, testInfo.project.name === "phone" ? "seller8@demo.bazaar.test" : "seller7@demo.bazaar.test", "demo-pass-2026");
  const stamp = `${testInfo.project.name}-${Date.now() % 100000}`;
  const wrench = `Tool - Ice 15mm Wrench ${stamp}`;
  const rows = [
    ["Handle", "Title", "Body (HTML)", "Vendor", "Type", "Tags", "Published", "Option1 Name", "Option1 Value", "Variant SKU", "Variant Grams", "Variant Inventory Qty", "Variant Price", "Status"],
    [`ice-wrench-${stamp}`, `Ice Wrench ${stamp}`, "<p>Steel &amp;\u00a0grip</p>", "Ridge", "Tools", "winter", "TRUE", "Size", "S", wrench, "120.0", "7", "14.00", "active"],
    [`ice-wrench-${stamp}`, "", "", "", "", "", "", "", "M", wrench, "120.0", "3", "14.00", ""],
    [`bolt-pack-${stamp}`, `Bolt Pack ${stamp}`, "<p>Ten bolts.</p>", "Ridge", "Tools", "", "TRUE", "Title", "Default Title", "'4160", "50.0", "-2", "5.00", "active"],
    [`broken-${stamp}`, `Broken ${stamp}`, "", "Ridge", "Tools", "", "TRUE", "Title", "Default Title", "BRK-1", "", "1", "abc", "active"],
  ];
  await page.goto("/seller/products/import");
  await page.getByLabel("Catalog file (CSV, up to 20 MB)").setInputFiles({
    name: "products_export.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(toCsv(rows).replace(/\n/g, "\r\n"), "utf8"),
  });
  await page.getByLabel("Category for rows that name none").selectOption({ label: "Home & Kitchen › Cookware" });
  await page.getByRole("button", { name: "Check the file" }).click();

  // The dry run: the broken row is a problem and its product skipped; the rest is as the store wrote it.
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Import of products_export.csv");
  await expect(page.getByText("1 problem to fix: 1 product is skipped, the rest can be applied.")).toBeVisible();
  const problems = page.getByRole("table", { name: "Rows to fix" });
  await expect(problems.getByRole("row").filter({ has: page.getByRole("cell") })).toHaveCount(1);
  await expect(problems).toContainText("Variant Price");
  const notes = page.getByRole("table", { name: "Notes" });
  await expect(notes).toContainText(`The SKU ${wrench} is also on row 2`);
  await expect(notes).toContainText("Excel's apostrophe before a number was taken off 1 SKU");
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-import-shopify-${testInfo.project.name}.png`, fullPage: true });
  await page.getByRole("button", { name: /^Apply \d+ changes?$/ }).click();
  await expectImported(page, "Imported: 2 products created, 0 updated; 3 variants created, 0 updated.");

  // In the editor: the SKU with spaces on S, and M given its own.
  await page.goto("/seller/products");
  await page.getByRole("search", { name: "Filter products" }).getByLabel("Search products").fill(stamp);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByRole("link", { name: `Bolt Pack ${stamp}` })).toBeVisible();
  await expect(page.getByRole("link", { name: `Broken ${stamp}` })).toHaveCount(0);
  await page.getByRole("link", { name: `Ice Wrench ${stamp}` }).click();
  await expect(page.getByLabel("SKU of S", { exact: true })).toHaveValue(wrench);
  const other = await page.getByLabel("SKU of M", { exact: true }).inputValue();
  expect(other).not.toBe("");
  expect(other).not.toBe(wrench);
  await expectAccessible(page);
});

test("a seller imports a Shopify file with pictures and tags and finds the products live with them", async ({ page }, testInfo) => {
  // The pictures are served by this shop itself, over loopback (the e2e server allows it; a real shop never does).
  await page.goto("/");
  // Two different pictures (demo products share a small palette of them).
  const sources = [...new Set(await page.locator("main img").evaluateAll((imgs) =>
    imgs.map((i) => (i as HTMLImageElement).currentSrc || (i as HTMLImageElement).src).filter((s) => s.includes("/media/")),
  ))];
  // Two pictures whose bytes differ (two addresses may serve the same drawing).
  const distinct: string[] = [];
  const seen = new Set<string>();
  for (const src of sources) {
    const body = await (await page.request.get(src)).body();
    const digest = createHash("sha256").update(body).digest("hex");
    if (!seen.has(digest)) {
      seen.add(digest);
      distinct.push(src);
    }
    if (distinct.length === 2) break;
  }
  expect(distinct.length).toBe(2);
  const [front, side] = distinct;
  const missing = new URL(`/media/${"0".repeat(64)}.png`, sources[0]).toString();
  await logIn(page, testInfo.project.name === "phone" ? "seller10@demo.bazaar.test" : "seller9@demo.bazaar.test", "demo-pass-2026");
  const stamp = `${testInfo.project.name}-${Date.now() % 100000}`;
  // A word only the lantern's tags hold, so the storefront's search finds it by its tag alone.
  const tag = `glowware${Date.now() % 100000}${testInfo.project.name === "phone" ? 1 : 2}`;
  const rows = [
    ["Handle", "Title", "Body (HTML)", "Tags", "Option1 Name", "Option1 Value", "Variant SKU", "Variant Price", "Image Src", "Image Position", "Image Alt Text", "SEO Title", "Status"],
    [`lantern-${stamp}`, `Storm Lantern ${stamp}`, "<p>Brass.</p>", `camping, ${tag}`, "Title", "Default Title", `LAN-${stamp}`, "32.00", side, "2", "The lantern from the side", `Storm lantern, brass – ${stamp}`, "active"],
    [`lantern-${stamp}`, "", "", "", "", "", "", "", front, "1", "The lantern lit", "", ""],
    [`kettle-${stamp}`, `Camp Kettle ${stamp}`, "<p>Steel.</p>", "camping", "Title", "Default Title", `KET-${stamp}`, "18.00", missing, "1", "", "", "active"],
  ];
  await checkFile(page, rows);
  await expect(page.getByText("Pictures to fetch from their addresses after the import: 3.")).toBeVisible();
  await page.getByRole("button", { name: /^Apply \d+ changes?$/ }).click();
  await expectImported(page, "Imported: 2 products created");

  // The pictures come in the background: the seller follows them by reloading the page.
  await expectPictures(page, "2 pictures of 3 in, 1 failed, 0 waiting.");
  const failed = page.getByRole("table", { name: "Pictures that could not be fetched" });
  await expect(failed).toContainText("answered 404");
  await expect(failed.getByRole("link", { name: `Camp Kettle ${stamp}` })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: `test-results/seller-import-pictures-${testInfo.project.name}.png`, fullPage: true });
  await page.getByRole("button", { name: "Try the 1 failed picture again" }).click();
  await expect(page.getByText("1 picture sent to be fetched again.")).toBeVisible();

  // On the storefront: live, with its pictures in the file's order and its SEO title; the kettle is not.
  await page.goto(`/p/lantern-${stamp}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Storm Lantern ${stamp}`);
  await expect(page).toHaveTitle(`Storm lantern, brass – ${stamp} · Bazaar`);
  const gallery = page.locator("main").getByRole("img", { name: /The lantern/ });
  await expect(gallery.first()).toHaveAccessibleName("The lantern lit");
  await expect(page.getByRole("list", { name: "Tags" }).getByRole("link")).toHaveText(["camping", tag]);
  await expectAccessible(page);
  const kettle = await page.request.get(`/p/kettle-${stamp}`);
  expect(kettle.status()).toBe(404);

  // Shoppers find it by its tag; the seller filters the products by it and sees it as a chip in the editor.
  await page.getByRole("combobox", { name: "Search products" }).fill(tag);
  await page.getByRole("combobox", { name: "Search products" }).press("Enter");
  await expect(page.getByRole("link", { name: new RegExp(`Storm Lantern ${stamp}`) }).first()).toBeVisible();
  await page.goto("/seller/products");
  const filters = page.getByRole("search", { name: "Filter products" });
  await filters.getByLabel("Tag").selectOption(tag);
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByRole("link", { name: `Storm Lantern ${stamp}` })).toBeVisible();
  await expect(page.getByRole("link", { name: `Camp Kettle ${stamp}` })).toHaveCount(0);
  await page.getByRole("link", { name: `Storm Lantern ${stamp}` }).click();
  const chips = page.getByRole("list", { name: "The product's tags" });
  await expect(chips.getByRole("listitem")).toHaveText(["camping", tag]);
  await expectAccessible(page);
  await chips.screenshot({ path: `test-results/seller-editor-tags-${testInfo.project.name}.png` });
});
