// Waits until the server answers, so the tests never race its start-up.
export default async function globalSetup(): Promise<void> {
  await ready(process.env.BASE_URL ?? "http://127.0.0.1:3000");
  // The payouts journey's second shop, when scripts/e2e.sh started one.
  if (process.env.CONNECT_URL) await ready(process.env.CONNECT_URL);
}

async function ready(base: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  let lastError = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.ok) return;
      lastError = `status ${res.status}`;
    } catch (e) {
      lastError = String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server at ${base} did not become ready: ${lastError}`);
}
