import type { SampleContext } from "./types.js";

/** ISO-8601 to the second, as the events reference writes them ("2024-12-01T09:00:00Z"). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The time `offsetSeconds` from the event's moment: negative for what happened before it. */
export function at(ctx: SampleContext, offsetSeconds = 0): string {
  return isoSeconds(new Date(ctx.now.getTime() + offsetSeconds * 1000));
}

// The header of the reference's tokens: {"alg":"EdDSA","typ":"JWT"}.
const TOKEN_HEADER = "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9";

/**
 * A token shaped like the reference's admission and payment tokens (a compact JWS with an Ed25519
 * header). The signature is random bytes (Math.random: nothing secret here, and node:crypto would
 * slow start-up): receivers should treat tokens as opaque, and a sample must never pass for a real one.
 */
export function sampleToken(ctx: SampleContext, claims: Record<string, unknown>, lifetimeSeconds = 600): string {
  const issuedAt = Math.floor(ctx.now.getTime() / 1000);
  const body = Buffer.from(JSON.stringify({ ...claims, iat: issuedAt, exp: issuedAt + lifetimeSeconds })).toString(
    "base64url",
  );
  const signature = Buffer.alloc(64);
  for (let i = 0; i < signature.length; i++) signature[i] = Math.floor(Math.random() * 256);
  return `${TOKEN_HEADER}.${body}.${Buffer.from(signature).toString("base64url")}`;
}

/** Money as the reference writes it: a decimal string with two places, never a JSON number. */
export function money(amount: number): string {
  return amount.toFixed(2);
}

export const CURRENCY = "USD";
