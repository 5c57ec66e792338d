// A local fake of Stripe Connect for the payouts journey (Stripe cannot be reached from here): the API calls the
// shop makes to onboard a store (accounts, account links, reading an account), with Stripe's form-encoded requests,
// Bearer key and Idempotency-Key replay, and a stand-in for Stripe's hosted onboarding page whose "Submit details"
// enables the account, sends the shop a signed `account.updated` to its Connect webhook, and returns the seller.
// Started by scripts/e2e.sh with FAKE_STRIPE_PORT, SHOP_URL, STRIPE_SECRET_KEY and CONNECT_SECRET.
import crypto from "node:crypto";
import http from "node:http";

const port = Number(process.env.FAKE_STRIPE_PORT);
const shop = process.env.SHOP_URL;
const apiKey = process.env.STRIPE_SECRET_KEY;
const secret = process.env.CONNECT_SECRET;
const accounts = new Map();
const replies = new Map();
let next = 0;

function send(res, status, body, type = "application/json") {
  res.writeHead(status, { "content-type": type });
  res.end(type === "application/json" ? JSON.stringify(body) : body);
}

function stripeError(res, status, message) {
  send(res, status, { error: { type: "invalid_request_error", message } });
}

async function form(req) {
  let body = "";
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function signed(body) {
  const t = Math.floor(Date.now() / 1000);
  const v1 = crypto.createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

async function tellShop(account) {
  next += 1;
  const event = {
    id: `evt_e2e_${next}`,
    object: "event",
    type: "account.updated",
    created: Math.floor(Date.now() / 1000),
    account: account.id,
    data: { object: account },
  };
  const body = JSON.stringify(event);
  const answer = await fetch(`${shop}/webhooks/stripe/connect`, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": signed(body) },
    body,
  });
  if (!answer.ok) throw new Error(`the shop answered ${answer.status}`);
}

function onboardingPage(id, back) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stripe Express (test)</title></head>
<body><main><h1>Set up payouts for your store (test Stripe)</h1>
<p>Account ${id}. Stripe would ask for your identity and bank account here.</p>
<form method="post"><input type="hidden" name="return" value="${back.replace(/"/g, "&quot;")}">
<button type="submit">Submit details</button></form></main></body></html>`;
}

async function api(req, res, path) {
  if (req.headers.authorization !== `Bearer ${apiKey}`) return stripeError(res, 401, "Invalid API Key provided");
  const key = req.headers["idempotency-key"];
  if (key && replies.has(key)) return send(res, 200, replies.get(key));
  let reply;
  if (req.method === "POST" && path === "/v1/accounts") {
    const params = await form(req);
    if (!/^[A-Z]{2}$/.test(params.get("country") || "")) {
      return stripeError(res, 400, "Missing required param: country.");
    }
    next += 1;
    reply = {
      id: `acct_e2e_${next}`,
      country: params.get("country"),
      object: "account",
      type: params.get("type"),
      email: params.get("email"),
      details_submitted: false,
      charges_enabled: false,
      payouts_enabled: false,
    };
    accounts.set(reply.id, reply);
  } else if (req.method === "POST" && path === "/v1/account_links") {
    const params = await form(req);
    const account = params.get("account");
    if (!accounts.has(account)) return stripeError(res, 404, `No such account: '${account}'`);
    const back = encodeURIComponent(params.get("return_url"));
    const now = Math.floor(Date.now() / 1000);
    reply = { object: "account_link", created: now, expires_at: now + 300, url: `http://127.0.0.1:${port}/setup/${account}?return=${back}` };
  } else if (req.method === "GET" && path.startsWith("/v1/accounts/")) {
    reply = accounts.get(path.slice("/v1/accounts/".length));
    if (!reply) return stripeError(res, 404, "No such account");
  } else {
    return stripeError(res, 404, `Unrecognized request URL (${req.method}: ${path})`);
  }
  if (key) replies.set(key, reply);
  send(res, 200, reply);
}

http
  .createServer(async (req, res) => {
    try {
      const url = new URL(req.url, `http://127.0.0.1:${port}`);
      if (url.pathname.startsWith("/v1/")) return await api(req, res, url.pathname);
      const setup = url.pathname.match(/^\/setup\/(acct_e2e_\d+)$/);
      const account = setup && accounts.get(setup[1]);
      if (!account) return send(res, 404, "not found", "text/plain");
      if (req.method === "GET") return send(res, 200, onboardingPage(account.id, url.searchParams.get("return") ?? ""), "text/html");
      const back = (await form(req)).get("return");
      Object.assign(account, { details_submitted: true, charges_enabled: true, payouts_enabled: true });
      await tellShop(account);
      res.writeHead(303, { location: back });
      res.end();
    } catch (e) {
      send(res, 500, { error: { type: "api_error", message: String(e) } });
    }
  })
  .listen(port, "127.0.0.1");
