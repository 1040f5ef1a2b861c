#!/usr/bin/env node
// A Fanfare webhook receiver in plain Node (no dependencies): the part of your app that accepts
// deliveries, checks that they really come from Fanfare, and answers quickly.
//
//   FANFARE_WEBHOOK_SECRET=whsec_… node examples/receiver.mjs [--port 3000]
//   fanfare webhooks trigger --all --forward-to http://127.0.0.1:3000/webhooks
//   fanfare webhooks check --forward-to http://127.0.0.1:3000/webhooks    (it passes every check)
//
// Copy verifyFanfareSignature() into your app as it is; the server around it is only a stand-in
// for your framework's route handler.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

/** Reject deliveries signed more than 5 minutes from now, either way (replayed or mis-dated). */
const TOLERANCE_SECONDS = 300;
/** Deliveries are small JSON documents; refuse anything absurd before reading it into memory. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Checks the X-Fanfare-Signature of a delivery. Returns { ok: true } or { ok: false, reason }.
 *
 * - `rawBody` must be the body exactly as received (a Buffer), not re-serialized JSON: a single
 *   changed space breaks the signature. In Express, use express.raw({ type: "application/json" }).
 * - The secret is used whole (`whsec_…` included) as the HMAC-SHA256 key.
 * - Three header forms exist:
 *     t=<unix seconds>,v1=<hex>   HMAC of `${t}.${rawBody}` (the default; several v1= while a
 *                                 secret is being rotated)
 *     sha256=<hex>                HMAC of rawBody
 *     <hex>                       HMAC of rawBody
 *   The last two carry no timestamp in the signature; X-Fanfare-Timestamp is checked instead.
 */
export function verifyFanfareSignature({ secret, rawBody, signatureHeader, timestampHeader, nowSeconds }) {
  if (!secret) return { ok: false, reason: "no signing secret configured" };
  if (!signatureHeader) return { ok: false, reason: "no X-Fanfare-Signature header" };
  const header = signatureHeader.trim();
  const now = nowSeconds ?? Math.floor(Date.now() / 1000);

  let timestamp;
  let candidates;
  let signed;
  if (header.startsWith("sha256=")) {
    candidates = [header.slice("sha256=".length)];
    signed = rawBody;
  } else if (/^[0-9a-fA-F]+$/.test(header)) {
    candidates = [header];
    signed = rawBody;
  } else {
    // t=…,v1=…[,v1=…]: unknown keys are ignored so that new schemes can be added alongside.
    candidates = [];
    for (const part of header.split(",")) {
      const [key, value] = part.trim().split("=", 2);
      if (key === "t") timestamp = value;
      else if (key === "v1" && value) candidates.push(value);
    }
    if (timestamp === undefined || candidates.length === 0) {
      return { ok: false, reason: "malformed signature header (expected t=<ts>,v1=<hex>)" };
    }
    signed = Buffer.concat([Buffer.from(`${timestamp}.`), rawBody]);
  }

  // The timestamp (signed for v1, from X-Fanfare-Timestamp otherwise) must be recent.
  timestamp ??= timestampHeader;
  if (timestamp !== undefined) {
    if (!/^\d+$/.test(String(timestamp))) return { ok: false, reason: "timestamp is not unix seconds" };
    if (timestampHeader !== undefined && String(timestampHeader) !== String(timestamp)) {
      return { ok: false, reason: "X-Fanfare-Timestamp differs from the signed timestamp" };
    }
    if (Math.abs(now - Number(timestamp)) > TOLERANCE_SECONDS) {
      return { ok: false, reason: `timestamp is more than ${TOLERANCE_SECONDS} s away from now` };
    }
  }

  const expected = createHmac("sha256", secret).update(signed).digest();
  let matched = false;
  for (const candidate of candidates) {
    const received = Buffer.from(candidate, "hex");
    // timingSafeEqual needs equal lengths; comparing in constant time hides how much matched.
    if (received.length === expected.length && timingSafeEqual(received, expected)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: "signature does not match (wrong secret, or the body was changed)" };
}

function portFromArgs() {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === "--port" || a.startsWith("--port="));
  const value = i < 0 ? process.env.PORT : args[i].includes("=") ? args[i].split("=")[1] : args[i + 1];
  if (value === undefined || value === "") return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: --port must be 0–65535, not "${value}"`);
    process.exit(2);
  }
  return port;
}

function reply(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

const secret = process.env.FANFARE_WEBHOOK_SECRET;
if (!secret) {
  console.error("error: set FANFARE_WEBHOOK_SECRET to the signing secret (whsec_…) to verify deliveries");
  console.error("hint: with `fanfare webhooks listen`, use its secret:");
  console.error("  FANFARE_WEBHOOK_SECRET=$(npx fanfare webhooks listen --print-secret) node examples/receiver.mjs --port 3000");
  process.exit(2);
}

const server = createServer((req, res) => {
  // Deliveries are POSTed to / or /webhooks (`listen --forward localhost:3000` or `…:3000/webhooks`).
  const path = req.url.split("?")[0];
  if (path !== "/" && path !== "/webhooks") return reply(res, 404, { error: "not found" });
  if (req.method !== "POST") return reply(res, 405, { error: "method not allowed" });

  // Keep the body as raw bytes: the signature covers them exactly as sent.
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      reply(res, 413, { error: "body too large" });
      req.destroy();
    } else chunks.push(chunk);
  });
  req.on("end", () => {
    if (res.headersSent) return;
    const rawBody = Buffer.concat(chunks);
    const eventType = req.headers["x-fanfare-event-type"] ?? "?";
    const deliveryId = req.headers["x-fanfare-delivery-id"] ?? "?";
    const check = verifyFanfareSignature({
      secret,
      rawBody,
      signatureHeader: req.headers["x-fanfare-signature"],
      timestampHeader: req.headers["x-fanfare-timestamp"],
    });
    if (!check.ok) {
      console.log(`✗ ${eventType} ${deliveryId} bad signature: ${check.reason}`);
      return reply(res, 401, { error: "invalid signature" });
    }
    // Only now is the body trusted. Answer within 30 s; do slow work after answering (a queue).
    let event;
    try {
      event = JSON.parse(rawBody.toString("utf8"));
    } catch {
      console.log(`✗ ${eventType} ${deliveryId} body is not JSON`);
      return reply(res, 400, { error: "body is not JSON" });
    }
    // Deliveries can arrive twice (retries): use event.id to process each one only once.
    console.log(`✓ ${event.type} ${event.id} verified`);
    reply(res, 200, { received: true });
  });
});

server.listen(portFromArgs(), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/webhooks`);
});

// Ctrl-C (or the demo stopping us) closes the server cleanly.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  });
}
