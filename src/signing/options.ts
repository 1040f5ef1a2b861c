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
 * and Standard Webhooks (standardwebhooks.com, what Svix and its users sign with), so handlers
 * built on the `standardwebhooks` or `svix` libraries can be tested:
 *   standard  `webhook-signature: v1,<base64>` over `${id}.${ts}.${rawBody}`, keyed with the
 *             base64-decoded part of `whsec_<base64>`, beside `webhook-id` and `webhook-timestamp`
 *
 * By hand, for a v1 header:
 *   printf '%s.' "$TS" | cat - body.json | openssl dgst -sha256 -hmac "$SECRET" -r
 */
export const SIGNATURE_SCHEMES = ["v1", "sha256", "hex", "standard"] as const;
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

/** Every Fanfare secret starts with this, as the docs show. */
export const SECRET_PREFIX = "whsec_";
/** Strict base64 with its padding, as the `standardwebhooks` library decodes it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The HMAC key of a Standard Webhooks secret: the base64 after `whsec_` (the prefix is optional, as
 * in the library), or undefined when that is not strict base64 of at least one byte.
 */
export function standardSecretKey(secret: string): Buffer | undefined {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded === "" || !BASE64.test(encoded)) return undefined;
  return Buffer.from(encoded, "base64");
}

/**
 * Stops a run up front, exit 2, when the secret cannot sign in the scheme: only `standard` asks
 * anything of it (base64 after `whsec_`); the others key with the whole string. `fromListen`: the
 * secret is a running listen's, whose stored local secret may predate base64 secrets.
 */
export function assertSecretFitsScheme(secret: string, scheme: SignatureScheme, fromListen = false): void {
  if (scheme !== "standard" || standardSecretKey(secret) !== undefined) return;
  if (fromListen) {
    throw usageError(
      "the running listen's secret is not valid base64, so it cannot sign --scheme standard",
      "it was made by an older fanfare: delete localSecret from fanfare's config file (`fanfare config list` " +
        "shows where) and restart listen for a new one, or pass --secret whsec_<base64>",
      "invalid_secret",
    );
  }
  throw usageError(
    "the secret is not valid base64 for --scheme standard",
    "Standard Webhooks secrets are whsec_ followed by base64 (A–Z a–z 0–9 + /, padded with =), " +
      'e.g. whsec_MfKQ9r8GKYqrTz3P0bEGfVqKjL2mNoPq; make one with: echo "whsec_$(openssl rand -base64 24)"',
    "invalid_secret",
  );
}
