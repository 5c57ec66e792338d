import { expect, test } from "@playwright/test";
import { checkFile, expectAccessible, expectImported, expectPictures, logIn, waitForHydration } from "./shop";

// A store's stock policy, as a seller coming from Shopify sets it: a default warehouse for the file's stock,
// backorders for the variants the file says keep selling, and a shopper buying beyond the stock.

test("a seller allows backorders, imports a Shopify file that keeps selling, and a shopper orders beyond the stock", async ({ page, browser }, testInfo) => {
  // A picture this shop serves itself, over loopback (the e2e server allows it; a real shop never does).
  await page.goto("/");
  const picture = await page.locator("main img").evaluateAll((imgs) =>
    imgs.map((i) => (i as HTMLImageElement).currentSrc || (i as HTMLImageElement).src).find((s) => s.includes("/media/")),
  );
  expect(picture).toBeTruthy();
  await logIn(page, testInfo.project.name === "phone" ? "seller12@demo.bazaar.test" : "seller11@demo.bazaar.test", "demo-pass-2026");
  const stamp = `${testInfo.project.name}-${Date.now() % 100000}`;
  const dock = `Dock ${stamp}`;

  // Store settings: a new warehouse becomes the default one; backorders on.
  await page.goto("/seller/settings");
  await page.getByLabel("Warehouse name").fill(dock);
  await page.getByRole("button", { name: "Add warehouse" }).click();
  await expect(page.getByRole("status")).toContainText("Warehouse saved");
  const stock = page.getByRole("region", { name: "Stock and imports" });
  await stock.getByLabel("Default warehouse").selectOption({ label: dock });
  await stock.getByLabel("Allow backorders").check();
  await stock.getByRole("button", { name: "Save stock settings" }).click();
  await expect(page.getByRole("status")).toContainText("Stock and import settings saved");
  await expect(stock.getByLabel("Default warehouse")).toHaveValue(await stock.getByRole("option", { name: dock }).getAttribute("value") ?? "");
  await expect(stock.getByLabel("Allow backorders")).toBeChecked();
  await expectAccessible(page);
  await stock.screenshot({ path: `test-results/seller-stock-policy-${testInfo.project.name}.png` });

  // The file: a lamp with 2 units that keeps selling, a stove with none that keeps selling, a tent that stops.
  const rows = [
    ["Handle", "Title", "Option1 Name", "Option1 Value", "Variant SKU", "Variant Inventory Qty", "Variant Inventory Policy", "Variant Price", "Image Src", "Status"],
    [`lamp-${stamp}`, `Pre-order Lamp ${stamp}`, "Title", "Default Title", `LAMP-${stamp}`, "2", "continue", "25.00", picture!, "active"],
    [`stove-${stamp}`, `Pre-order Stove ${stamp}`, "Title", "Default Title", `STOVE-${stamp}`, "0", "continue", "60.00", picture!, "active"],
    [`tent-${stamp}`, `Sold-out Tent ${stamp}`, "Title", "Default Title", `TENT-${stamp}`, "0", "deny", "90.00", picture!, "active"],
  ];
  await checkFile(page, rows);
  await page.getByRole("button", { name: /^Apply \d+ changes?$/ }).click();
  await expectImported(page, "Imported: 3 products created");
  await expectPictures(page, "0 waiting");

  // The editor: the lamp's units are in the default warehouse, and it keeps selling.
  await page.goto("/seller/products");
  await page.getByRole("link", { name: `Pre-order Lamp ${stamp}` }).click();
  await expect(page.getByLabel(new RegExp(`^Stock of .* in ${dock}$`))).toHaveValue("2");
  await expect(page.getByRole("checkbox", { name: /^Keep selling .* when out of stock$/ })).toBeChecked();
  await expectAccessible(page);

  // A shopper: 5 lamps of 2 in stock, a stove with none; the tent is sold out.
  const guest = await browser.newContext({ baseURL: new URL(page.url()).origin, viewport: page.viewportSize() });
  const shopper = await guest.newPage();
  await shopper.goto(`/p/lamp-${stamp}`);
  await waitForHydration(shopper);
  await expect(shopper.getByText("In stock", { exact: true })).toBeVisible();
  await shopper.getByLabel("Quantity").fill("5");
  await shopper.getByRole("button", { name: "Add to cart" }).click();
  await expect(shopper.getByRole("status").filter({ hasText: "Added to your cart." })).toBeVisible();
  await shopper.goto(`/p/stove-${stamp}`);
  await expect(shopper.getByText("Available to order: ships when back in stock")).toBeVisible();
  await expect(shopper.getByRole("button", { name: "Add to cart" })).toBeEnabled();
  await expectAccessible(shopper);
  await shopper.screenshot({ path: `test-results/storefront-backorder-${testInfo.project.name}.png`, fullPage: true });
  await shopper.goto(`/p/tent-${stamp}`);
  await expect(shopper.getByText("Out of stock")).toBeVisible();
  await expect(shopper.getByRole("button", { name: "Add to cart" })).toBeDisabled();
  await shopper.goto("/cart");
  await expect(shopper.getByRole("spinbutton", { name: /Quantity/ })).toHaveValue("5");
  await guest.close();
});
