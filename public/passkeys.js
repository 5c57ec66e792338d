// Passkeys (decision 0047): the browser's side of signing in with a passkey (/login) and adding one
// (/account/security). Loaded by those two pages only; the storefront's wasm knows nothing of it. The server does
// every check (webauthn-rs); this file only carries its options to navigator.credentials and the answer back.
"use strict";
(function () {
  const FALLBACK = "That did not work. Please try again.";

  function fromB64url(text) {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(b64 + "===".slice((b64.length + 3) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0)).buffer;
  }

  function toB64url(buffer) {
    if (!buffer) return null;
    let raw = "";
    new Uint8Array(buffer).forEach((b) => { raw += String.fromCharCode(b); });
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // The shop's error answers: `{"Validation":[{field,message}]}`, `{"Conflict":"…"}`, "Unauthenticated", …
  const PLAIN = {
    Unauthenticated: "Your sign-in has ended: log in again, then add the passkey.",
    BadCredentials: "The password is not correct.",
    NotFound: "That is not there any more: reload the page.",
    Forbidden: "This page cannot do that: reload it and try again.",
  };
  function messageOf(status, body) {
    if (typeof body === "string" && PLAIN[body]) return PLAIN[body];
    if (body && typeof body === "object") {
      if (Array.isArray(body.Validation) && body.Validation[0]) return body.Validation[0].message;
      if (typeof body.Conflict === "string") return body.Conflict;
      if (body.RateLimited) return "Too many attempts. Please wait a few minutes and try again.";
      if (body.Internal) return "Something went wrong on our side (reference " + body.Internal.request_id + ").";
    }
    if (status === 403) return PLAIN.Forbidden;
    return FALLBACK;
  }

  async function post(url, fields) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams(fields),
      credentials: "same-origin",
    });
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    if (!response.ok) throw new Error(messageOf(response.status, body));
    return body;
  }

  function browserProblem(error) {
    if (error && error.name === "NotAllowedError") {
      return "The passkey was not used: the request was cancelled or timed out.";
    }
    if (error && error.name === "InvalidStateError") {
      return "This device already holds a passkey for your account.";
    }
    if (error && error.name === "SecurityError") {
      return "Passkeys do not work at this address of the shop.";
    }
    return "Your browser could not use a passkey here. Please try again.";
  }

  function usable(widget) {
    return window.PublicKeyCredential && widget.dataset.origin === window.location.origin;
  }

  function show(widget, message) {
    const alert = widget.querySelector("[data-passkey-error]");
    alert.textContent = message;
    alert.hidden = !message;
  }

  function credentialJson(credential, response) {
    return JSON.stringify({
      id: credential.id,
      rawId: toB64url(credential.rawId),
      type: credential.type,
      response: response,
      extensions: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    });
  }

  async function signIn(widget, button) {
    show(widget, "");
    button.disabled = true;
    try {
      const options = JSON.parse(await post(widget.dataset.options, {}));
      const pk = options.publicKey;
      pk.challenge = fromB64url(pk.challenge);
      (pk.allowCredentials || []).forEach((c) => { c.id = fromB64url(c.id); });
      const credential = await navigator.credentials.get({ publicKey: pk }).catch((e) => {
        throw new Error(browserProblem(e));
      });
      const r = credential.response;
      const answer = credentialJson(credential, {
        authenticatorData: toB64url(r.authenticatorData),
        clientDataJSON: toB64url(r.clientDataJSON),
        signature: toB64url(r.signature),
        userHandle: toB64url(r.userHandle),
      });
      const next = await post(widget.dataset.finish, { credential: answer, next: widget.dataset.next || "/" });
      window.location.assign(typeof next === "string" ? next : "/");
    } catch (e) {
      show(widget, e.message || FALLBACK);
      button.disabled = false;
    }
  }

  async function add(widget, form) {
    show(widget, "");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const fields = new FormData(form);
      const proof = { password: fields.get("password") || "", code: fields.get("code") || "" };
      const options = JSON.parse(await post(widget.dataset.options, proof));
      const pk = options.publicKey;
      pk.challenge = fromB64url(pk.challenge);
      pk.user.id = fromB64url(pk.user.id);
      (pk.excludeCredentials || []).forEach((c) => { c.id = fromB64url(c.id); });
      const credential = await navigator.credentials.create({ publicKey: pk }).catch((e) => {
        throw new Error(browserProblem(e));
      });
      const r = credential.response;
      const answer = credentialJson(credential, {
        attestationObject: toB64url(r.attestationObject),
        clientDataJSON: toB64url(r.clientDataJSON),
        transports: r.getTransports ? r.getTransports() : undefined,
      });
      await post(widget.dataset.add, { name: fields.get("name") || "", credential: answer });
      window.location.assign("/account/security?passkey=added");
    } catch (e) {
      show(widget, e.message || FALLBACK);
      button.disabled = false;
    }
  }

  function start() {
    document.querySelectorAll("[data-passkey-widget]").forEach((widget) => {
      if (!usable(widget)) return;
      widget.querySelectorAll("[data-passkey-unavailable]").forEach((n) => { n.hidden = true; });
      widget.querySelectorAll("[data-passkey-ready]").forEach((n) => { n.hidden = false; });
      const button = widget.querySelector("[data-passkey-sign-in]");
      if (button) button.addEventListener("click", () => signIn(widget, button));
      const form = widget.querySelector("form[data-passkey-add]");
      if (form) form.addEventListener("submit", (event) => { event.preventDefault(); add(widget, form); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
