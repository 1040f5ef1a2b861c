import { usageError } from "../errors.js";

// What a user chooses about signing, for flags and help. Kept apart from signature.ts so that
// parsing flags and printing help never load node:crypto.

/** Where `trigger`, `verify` and `listen` look for the signing secret when no --secret is given. */
export const SECRET_ENV = "FANFARE_WEBHOOK_SECRET";

/**
 * The three signature schemes seen in the docs, all HMAC-SHA256 keyed with the whole secret string
 * (`whsec_…` included) and hex encoded:
 *   v1     `t=<ts>,v1=<hex>` over `${ts}.${rawBody}` (webhooks guide; the default)
 *   sha256 `sha256=<hex>` over the raw body (planned custom webhooks page)
 *   hex    bare `<hex>` over the raw body (sibling platform's admin)
 *
 * By hand, for a v1 header:
 *   printf '%s.' "$TS" | cat - body.json | openssl dgst -sha256 -hmac "$SECRET" -r
 */
export const SIGNATURE_SCHEMES = ["v1", "sha256", "hex"] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

/** Largest age of a v1 timestamp, either way, that verification accepts by default. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function isSignatureScheme(value: string): value is SignatureScheme {
  return (SIGNATURE_SCHEMES as readonly string[]).includes(value);
}

/** `--scheme`'s value, or a usage error listing the schemes. */
export function parseSignatureScheme(value: string): SignatureScheme {
  if (isSignatureScheme(value)) return value;
  throw usageError(
    `unknown signature scheme "${value}"`,
    `use --scheme ${SIGNATURE_SCHEMES.join(", --scheme ")} (v1 is the default: t=<ts>,v1=<hex>)`,
    "invalid_scheme",
  );
}
