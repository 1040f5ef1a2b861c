#!/usr/bin/env node
// verify: per-signature time of the project's verifySignature against a bare createHmac +
// timingSafeEqual loop over the same deliveries, in the same run. Target (DESIGN.md): within 1.2×.
//   node bench/verify.mjs
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { formatNs, importSource, printRatio, requireBuild, timeLoopsInterleaved } from "./lib.mjs";

requireBuild();
const { verifySignature } = await importSource("src/signing/signature.ts");
const TARGET = 1.2;

const secret = "whsec_" + randomBytes(24).toString("base64url");
const now = Math.floor(Date.now() / 1000);

/** A realistic delivery body (~700 bytes, the size of the reference payloads) that differs each time. */
function body(i) {
  return JSON.stringify({
    id: `whk_01J1Z8Q6ZK3M4N5P6Q7R8S${String(i).padStart(6, "0")}`,
    type: "draw.consumer.won",
    timestamp: new Date((now - (i % 60)) * 1000).toISOString(),
    organizationId: "org_01HZX3K9M2N4P6Q8R0S2T4V6W8",
    data: {
      drawId: `draw_${i}`,
      consumerId: `con_${randomBytes(8).toString("hex")}`,
      email: `fan${i}@example.com`,
      product: { id: "prod_01HZX", name: "Limited Edition Sneaker", variant: "US 10", price: "149.99", currencyCode: "USD" },
      position: i % 500,
      entries: 1 + (i % 3),
      claimDeadline: new Date((now + 86_400) * 1000).toISOString(),
      metadata: { source: "web", campaign: "spring-drop", locale: "en-US", referrer: "https://example.com/drops/spring" },
    },
  });
}

const N = 1024; // a power of two, so `i & MASK` picks a delivery without a modulo
const MASK = N - 1;
const deliveries = Array.from({ length: N }, (_, i) => {
  const text = body(i);
  const ts = now - (i % 60);
  const hex = createHmac("sha256", secret).update(`${ts}.${text}`).digest("hex");
  return { text, bytes: Buffer.from(text), ts, header: `t=${ts},v1=${hex}` };
});
const avgBytes = Math.round(deliveries.reduce((n, d) => n + d.bytes.length, 0) / N);

// The baseline: the least a correct receiver can do (find t= and v1=, one HMAC, one constant-time
// compare), with no validation, no tolerance check and no reasons.
function bare(secret, payload, header) {
  const comma = header.indexOf(",");
  const ts = header.slice(2, comma);
  const given = Buffer.from(header.slice(comma + 4), "hex");
  const h = createHmac("sha256", secret);
  if (typeof payload === "string") h.update(`${ts}.${payload}`);
  else h.update(`${ts}.`).update(payload);
  const expected = h.digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// Every input must verify in both, or the comparison is meaningless.
for (const d of deliveries) {
  const r = verifySignature({ secret, payload: d.bytes, signature: d.header, now });
  if (!r.valid || !bare(secret, d.bytes, d.header) || !bare(secret, d.text, d.header)) {
    console.log("bench inputs do not verify:", r);
    process.exit(1);
  }
}

let sink = 0;
const loops = {
  "bare, string body": (i) => {
    const d = deliveries[i & MASK];
    if (bare(secret, d.text, d.header)) sink++;
  },
  "verifySignature, string body": (i) => {
    const d = deliveries[i & MASK];
    if (verifySignature({ secret, payload: d.text, signature: d.header, now }).valid) sink++;
  },
  "bare, Buffer body": (i) => {
    const d = deliveries[i & MASK];
    if (bare(secret, d.bytes, d.header)) sink++;
  },
  "verifySignature, Buffer body": (i) => {
    const d = deliveries[i & MASK];
    if (verifySignature({ secret, payload: d.bytes, signature: d.header, now }).valid) sink++;
  },
};
const ns = timeLoopsInterleaved(loops, { batch: 5_000, rounds: 21 });
if (sink === 0) console.log("(nothing verified?)");

console.log(`verify: ${N} v1 deliveries, ~${avgBytes} bytes each; median of 21 interleaved batches of 5,000`);
for (const [label, t] of Object.entries(ns)) console.log(`  ${label.padEnd(30)} ${formatNs(t).padStart(9)} per signature`);
printRatio("verifySignature vs bare loop (string body)", ns["verifySignature, string body"] / ns["bare, string body"], TARGET);
printRatio("verifySignature vs bare loop (Buffer body)", ns["verifySignature, Buffer body"] / ns["bare, Buffer body"], TARGET);
