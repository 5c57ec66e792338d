// Largest Contentful Paint of a product page in headless Chromium, with the wasm islands and with the islands' JS
// and wasm blocked, N runs each (fresh context per run, so nothing is cached). Prints the medians and their ratio.
//   node bench/lcp.mjs http://127.0.0.1:3192/p/some-slug [runs]
import { chromium } from "../end2end/node_modules/@playwright/test/index.mjs";

const url = process.argv[2];
const runs = parseInt(process.argv[3] ?? "15");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run"],
});

async function lcp(withWasm) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  if (!withWasm) {
    // "Without JavaScript": the islands' script and wasm are never fetched, so the page stays as the server sent it.
    await page.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
  }
  await page.goto(url, { waitUntil: "load" });
  if (withWasm) {
    await page.waitForSelector("body[data-hydrated=true]", { timeout: 10_000 });
  }
  const value = await page.evaluate(() => new Promise((resolve) => {
    new PerformanceObserver((list) => {
      const entries = list.getEntries();
      resolve(entries[entries.length - 1].startTime);
    }).observe({ type: "largest-contentful-paint", buffered: true });
    setTimeout(() => resolve(-1), 3000);
  }));
  await context.close();
  return value;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const withJs = [], withoutJs = [];
for (let i = 0; i < runs; i++) {
  withJs.push(await lcp(true));
  withoutJs.push(await lcp(false));
}
await browser.close();
const a = median(withJs), b = median(withoutJs);
console.log(`LCP product page, median of ${runs}: with wasm ${a.toFixed(1)} ms, without JavaScript ${b.toFixed(1)} ms, ratio ${(a / b).toFixed(3)}`);
