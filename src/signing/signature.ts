import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { codePointLabel } from "../terminal/escape.js";
import { assertSecretFitsScheme, DEFAULT_TOLERANCE_SECONDS, standardSecretKey, type SignatureScheme } from "./options.js";

// createHmac re-encodes a string key on every call; a receiver verifies thousands of deliveries
// with one secret, so the key object of the last secret is kept (a few % of a verification).
// Standard Webhooks keys with the decoded base64 of the secret, so it has its own slot.
let cachedSecret: string | undefined;
let cachedKey: KeyObject | undefined;
let cachedStandardSecret: string | undefined;
let cachedStandardKey: KeyObject | undefined;

function keyFor(secret: string): KeyObject {
  if (secret !== cachedSecret || cachedKey === undefined) {
    cachedKey = createSecretKey(Buffer.from(secret, "utf8"));
    cachedSecret = secret;
  }
  return cachedKey;
}

/** The key of a Standard Webhooks secret, or undefined when it is not base64 (see standardSecretKey). */
function standardKeyFor(secret: string): KeyObject | undefined {
  if (secret !== cachedStandardSecret || cachedStandardKey === undefined) {
    const bytes = standardSecretKey(secret);
    if (bytes === undefined) return undefined;
    cachedStandardKey = createSecretKey(bytes);
    cachedStandardSecret = secret;
  }
  return cachedStandardKey;
}

/**
 * What signing in the standard scheme needs: a base64 secret (else the usage error, exit 2, that
 * every command gives for it) and the delivery id (its absence is a caller's bug).
 */
function checkStandardInput(secret: string, id: string | undefined): void {
  assertSecretFitsScheme(secret, "standard");
  if (id === undefined || id === "") throw new Error("the standard scheme signs the delivery id: pass it to sign");
}

/** The raw 32-byte HMAC of what the scheme signs. */
function digestBytes(
  secret: string,
  body: string | Uint8Array,
  scheme: SignatureScheme,
  timestamp: number | string | undefined,
  id?: string,
): Buffer {
  if (scheme === "standard") {
    // `${id}.${ts}.${body}`, the timestamp as the number it is (the library signs parseInt's result).
    const hmac = createHmac("sha256", standardKeyFor(secret)!);
    const prefix = `${id ?? ""}.${timestamp === undefined ? "" : Number(timestamp)}.`;
    if (typeof body === "string") hmac.update(prefix + body);
    else hmac.update(prefix).update(body);
    return hmac.digest();
  }
  const hmac = createHmac("sha256", keyFor(secret));
  if (scheme === "v1") {
    // One update of a joined string is cheaper than two; bytes must stay bytes, so not for Buffers.
    if (typeof body === "string") hmac.update(`${timestamp ?? ""}.${body}`);
    else hmac.update(`${timestamp ?? ""}.`).update(body);
  } else {
    hmac.update(body);
  }
  return hmac.digest();
}

/**
 * HMAC-SHA256 hex of what the scheme signs. Bytes of a Buffer body are used as they are. The
 * standard scheme also signs the delivery id, and needs a base64 secret (else this throws).
 */
export function computeDigest(
  secret: string,
  body: string | Uint8Array,
  scheme: SignatureScheme,
  timestamp?: number,
  id?: string,
): string {
  if (scheme === "standard") checkStandardInput(secret, id);
  return digestBytes(secret, body, scheme, timestamp, id).toString("hex");
}

/**
 * The signature header value for a body: X-Fanfare-Signature's, or for the standard scheme
 * webhook-signature's (`v1,<base64>`, which needs the delivery id; a secret that is not base64
 * throws assertSecretFitsScheme's usage error). deliveryHeaders puts it in the right headers.
 */
export function signPayload(
  secret: string,
  body: string | Uint8Array,
  scheme: SignatureScheme,
  timestamp: number,
  id?: string,
): string {
  if (scheme === "standard") {
    checkStandardInput(secret, id);
    return `v1,${digestBytes(secret, body, scheme, timestamp, id).toString("base64")}`;
  }
  const digest = computeDigest(secret, body, scheme, timestamp);
  switch (scheme) {
    case "v1":
      return `t=${timestamp},v1=${digest}`;
    case "sha256":
      return `sha256=${digest}`;
    case "hex":
      return digest;
  }
}

type VerifyFailureCode =
  | "missing_secret"
  | "missing_signature"
  /** The header's shape is wrong: no v1=, not key=value, two different t=, an empty digest. */
  | "malformed_signature"
  | "not_hex"
  | "odd_length"
  /** Even-length hex, but not the 64 characters of a SHA-256 digest. */
  | "wrong_length"
  /** A standard (`v1,<base64>`) signature that is not base64. */
  | "not_base64"
  /** The standard scheme signs the delivery id, and none was given (webhook-id, --id). */
  | "no_id"
  /** The secret cannot be used in the scheme (standard: not base64 after whsec_). */
  | "invalid_secret"
  | "malformed_timestamp"
  | "no_timestamp"
  /** The X-Fanfare-Timestamp header and the signature's t= disagree. */
  | "timestamp_mismatch"
  | "expired"
  | "future_timestamp"
  | "mismatch"
  /** The secret or payload is not a string or bytes (a caller's bug, reported rather than thrown). */
  | "invalid_input";

interface ParsedSignature {
  scheme: SignatureScheme;
  timestamp?: number;
  /**
   * Lower-case hex digests (standard's base64 ones decoded to hex); v1 and standard may carry
   * several while a secret is being rotated.
   */
  digests: string[];
}

type ParseResult =
  | { ok: true; value: ParsedSignature }
  | { ok: false; code: VerifyFailureCode; reason: string };

interface Failure {
  ok: false;
  code: VerifyFailureCode;
  reason: string;
}

const HEX_DIGEST = /^[0-9a-f]{64}$/i;
const HEX = /^[0-9a-f]*$/i;
const UNIX_SECONDS = /^\d{1,12}$/;
const DIGITS = /^\d+$/;

function fail(code: VerifyFailureCode, reason: string): Failure {
  return { ok: false, code, reason };
}

/** Why `value` is not a 64-character hex digest; `what` names it in the reason. */
function digestProblem(value: string, what: string): Failure {
  if (value.length === 0) return fail("malformed_signature", `${what} is empty`);
  if (!HEX.test(value)) return fail("not_hex", `${what} is not hex (${describeChars(value)})`);
  if (value.length % 2 === 1) return fail("odd_length", `${what} has an odd length (${value.length} hex characters)`);
  return fail("wrong_length", `${what} is ${value.length} hex characters, not the 64 of a SHA-256 digest`);
}

function describeChars(value: string): string {
  const bad = /[^0-9a-f]/iu.exec(value)?.[0] ?? "";
  return `found ${shownChar(bad)}`;
}

/** A character a value should not hold: quoted when printable ASCII, else by its code point. */
function shownChar(bad: string): string {
  return /^[\x21-\x7e]$/.test(bad) ? quote(bad) : codePointLabel(bad.codePointAt(0)!);
}

function timestampProblem(raw: string, what: string): Failure {
  if (DIGITS.test(raw) && raw.length === 13) {
    return fail("malformed_timestamp", `${what} ${raw} looks like milliseconds; expected unix seconds`);
  }
  return fail("malformed_timestamp", `${what} ${quote(raw)} is not unix seconds`);
}

/** A parsed header before digests are normalised; the timestamp keeps the exact text that was signed. */
interface HeaderParts {
  scheme: SignatureScheme;
  timestamp?: number;
  timestampText?: string;
  /** 64-character hex digests, in the case they arrived in. */
  digests: string[];
}

/** Reads a signature header in any scheme; never throws, whatever the input. */
export function parseSignatureHeader(header: string): ParseResult {
  const parts = parseHeader(typeof header === "string" ? header : "");
  if (!parts.ok) return parts;
  const { scheme, timestamp, digests } = parts.value;
  const value: ParsedSignature = { scheme, digests: digests.map((d) => d.toLowerCase()) };
  if (timestamp !== undefined) value.timestamp = timestamp;
  return { ok: true, value };
}

/** `v1,…`: a version, a comma, no `=` before it (Fanfare's v1 starts `t=` or `v1=`). */
const STANDARD_ENTRY = /^v\d+[a-z]?,/i;
const BASE64_DIGEST = /^[A-Za-z0-9+/]{43}=$/;
const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;

/** Whether a signature header is in the Standard Webhooks form (`v1,<base64>`, space-separated). */
export function isStandardSignature(header: string): boolean {
  return STANDARD_ENTRY.test(header.trimStart());
}

/**
 * `v1,<base64> v1,<base64>`: entries of other versions (v1a is asymmetric) are skipped, as the
 * library does, and so is a bad v1 entry beside a good one; the digests come back as hex.
 */
function parseStandard(header: string): { ok: true; value: HeaderParts } | Failure {
  const digests: string[] = [];
  let firstBad: Failure | undefined;
  let v1Count = 0;
  for (const entry of header.split(/\s+/)) {
    if (entry === "") continue;
    const comma = entry.indexOf(",");
    if (comma <= 0) {
      firstBad ??= fail("malformed_signature", `${quote(entry)} in the signature is not a version,signature pair`);
      continue;
    }
    if (entry.slice(0, comma) !== "v1") continue;
    v1Count++;
    const what = v1Count === 1 ? "the v1, signature" : `v1, signature #${v1Count}`;
    const value = entry.slice(comma + 1);
    if (BASE64_DIGEST.test(value)) digests.push(Buffer.from(value, "base64").toString("hex"));
    else if (value === "") firstBad ??= fail("malformed_signature", `${what} is empty`);
    else if (!BASE64_TEXT.test(value) || value.length % 4 !== 0) {
      firstBad ??= fail("not_base64", `${what} is not base64 (${value.length % 4 !== 0 && BASE64_TEXT.test(value) ? `${value.length} characters, not a multiple of 4` : describeBase64Chars(value)})`);
    } else {
      const bytes = Buffer.from(value, "base64").length;
      firstBad ??= fail("wrong_length", `${what} decodes to ${bytes} bytes, not the 32 of a SHA-256 digest`);
    }
  }
  if (digests.length === 0) {
    return firstBad ?? fail("malformed_signature", "the signature has no v1,<base64> entry (expected v1,<base64>)");
  }
  return { ok: true, value: { scheme: "standard", digests } };
}

function describeBase64Chars(value: string): string {
  const bad = /[^A-Za-z0-9+/=]/u.exec(value)?.[0];
  if (bad === undefined) return "misplaced = padding";
  return `found ${shownChar(bad)}`;
}

function parseHeader(header: string): { ok: true; value: HeaderParts } | Failure {
  const trimmed = header.trim();
  if (trimmed === "") return fail("missing_signature", "the signature is empty");
  if (STANDARD_ENTRY.test(trimmed)) return parseStandard(trimmed);

  if (trimmed.length >= 7 && trimmed.slice(0, 7).toLowerCase() === "sha256=") {
    const digest = trimmed.slice(7).trim();
    if (!HEX_DIGEST.test(digest)) return digestProblem(digest, "the sha256= signature");
    return { ok: true, value: { scheme: "sha256", digests: [digest] } };
  }

  if (!trimmed.includes("=")) {
    if (!HEX_DIGEST.test(trimmed)) {
      const problem = digestProblem(trimmed, "the signature");
      problem.reason += "; expected t=<ts>,v1=<hex>, sha256=<hex> or 64 hex characters";
      return problem;
    }
    return { ok: true, value: { scheme: "hex", digests: [trimmed] } };
  }

  // v1: comma-separated key=value pairs; unknown keys (v0, future schemes) are skipped. Node joins
  // a repeated header with ", ", which this reads as one longer list.
  let timestamp: string | undefined;
  const digests: string[] = [];
  let firstBadDigest: Failure | undefined;
  let v1Count = 0;
  for (const part of trimmed.split(",")) {
    const item = part.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq <= 0) return fail("malformed_signature", `${quote(item)} in the signature is not a key=value pair`);
    const key = item.slice(0, eq).trim().toLowerCase();
    const value = item.slice(eq + 1).trim();
    if (key === "t") {
      if (timestamp !== undefined && timestamp !== value) {
        return fail(
          "malformed_signature",
          `the signature has two different t= timestamps (${quote(timestamp, 20)} and ${quote(value, 20)})`,
        );
      }
      timestamp = value;
    } else if (key === "v1") {
      v1Count++;
      // A bad entry beside good ones is skipped, as Stripe's libraries do: one of them may match.
      if (HEX_DIGEST.test(value)) digests.push(value);
      else firstBadDigest ??= digestProblem(value, v1Count === 1 ? "the v1= signature" : `v1= signature #${v1Count}`);
    }
  }
  if (digests.length === 0) {
    return firstBadDigest ?? fail("malformed_signature", "the signature has no v1= value (expected t=<ts>,v1=<hex>)");
  }
  if (timestamp === undefined) return { ok: true, value: { scheme: "v1", digests } };
  if (!UNIX_SECONDS.test(timestamp)) return timestampProblem(timestamp, "the t= timestamp");
  return { ok: true, value: { scheme: "v1", timestamp: Number(timestamp), timestampText: timestamp, digests } };
}

const CHAR_0 = 48;
const CHAR_9 = 57;

/**
 * `t=<1–12 digits>,v1=<64 hex>` exactly, which is what signPayload writes and nearly every delivery
 * carries, read without the general parser's splitting and allocations (verify runs per delivery).
 * Anything else returns undefined and goes through parseHeader, which also explains what is wrong.
 */
function canonicalV1(header: string): HeaderParts | undefined {
  const length = header.length;
  if (length < 71 || length > 82) return undefined;
  const digestStart = length - 64;
  const comma = digestStart - 4;
  if (
    header.charCodeAt(0) !== 116 /* t */ ||
    header.charCodeAt(1) !== 61 /* = */ ||
    header.charCodeAt(comma) !== 44 /* , */ ||
    header.charCodeAt(comma + 1) !== 118 /* v */ ||
    header.charCodeAt(comma + 2) !== 49 /* 1 */ ||
    header.charCodeAt(comma + 3) !== 61 /* = */
  ) {
    return undefined;
  }
  let timestamp = 0;
  for (let i = 2; i < comma; i++) {
    const c = header.charCodeAt(i);
    if (c < CHAR_0 || c > CHAR_9) return undefined;
    timestamp = timestamp * 10 + (c - CHAR_0);
  }
  for (let i = digestStart; i < length; i++) {
    const c = header.charCodeAt(i) | 0x20; // lower-cases letters, leaves digits alone
    if (!((c >= CHAR_0 && c <= CHAR_9) || (c >= 97 /* a */ && c <= 102) /* f */)) return undefined;
  }
  return { scheme: "v1", timestamp, timestampText: header.slice(2, comma), digests: [header.slice(digestStart)] };
}

export interface VerifyInput {
  secret: string;
  payload: string | Uint8Array;
  /**
   * The X-Fanfare-Signature header value, or webhook-signature's (node gives an array when the
   * header is repeated). The scheme is read from its form.
   */
  signature: string | readonly string[] | undefined;
  /** The X-Fanfare-Timestamp header, or webhook-timestamp (which the standard scheme needs). */
  timestamp?: string | number;
  /** The webhook-id header: the standard scheme signs it. */
  id?: string;
  /** The scheme the caller expects (`verify --scheme`); a signature of another form is refused. */
  scheme?: SignatureScheme;
  /** Seconds either side of `now`; 0 turns the check off. Default 300. */
  tolerance?: number;
  /** Unix seconds; passed in so the function stays pure. */
  now: number;
}

export type VerifyResult =
  | {
      valid: true;
      scheme: SignatureScheme;
      /** The signed (v1) or declared timestamp, unix seconds. */
      timestamp?: number;
      /** now − timestamp in seconds; negative when the timestamp is ahead of this clock. */
      age?: number;
      timestampChecked: boolean;
    }
  | { valid: false; code: VerifyFailureCode; reason: string; scheme?: SignatureScheme };

/**
 * Checks a delivery's signature. It compares digests in constant time, checks the timestamp
 * tolerance in both directions, names the exact reason on failure and never throws.
 */
export function verifySignature(input: VerifyInput): VerifyResult {
  try {
    return verifyUnsafe(input);
  } catch (error) {
    // Nothing above is expected to throw; if a future change does, a delivery is still just invalid.
    return { valid: false, code: "invalid_input", reason: `could not verify: ${(error as Error)?.message ?? error}` };
  }
}

// Received digests are decoded into this rather than a fresh Buffer each time; verification is
// synchronous, so no two calls can share it at once.
const received = Buffer.alloc(32);

function verifyUnsafe(input: VerifyInput): VerifyResult {
  const { secret, payload } = input;
  if (typeof secret !== "string" || secret === "") {
    return { valid: false, code: "missing_secret", reason: "no signing secret was given" };
  }
  if (typeof payload !== "string" && !(payload instanceof Uint8Array)) {
    return { valid: false, code: "invalid_input", reason: "the payload is neither text nor bytes" };
  }
  const raw = input.signature;
  // A repeated header arrives as an array: standard entries are joined as the list they are.
  const header =
    typeof raw === "string" ? raw : Array.isArray(raw) ? raw.join(raw.some((r) => isStandardSignature(String(r))) ? " " : ",") : "";
  let parts = canonicalV1(header);
  if (parts === undefined) {
    const parsed = parseHeader(header);
    if (!parsed.ok) return { valid: false, code: parsed.code, reason: parsed.reason };
    parts = parsed.value;
  }
  const { scheme, digests } = parts;
  if (input.scheme !== undefined && input.scheme !== scheme) {
    return {
      valid: false,
      code: "malformed_signature",
      reason: `expected a ${input.scheme} signature (${SCHEME_FORMS[input.scheme]}) but this one is ${scheme} (${SCHEME_FORMS[scheme]})`,
      scheme,
    };
  }
  if (scheme === "standard") {
    if (standardKeyFor(secret) === undefined) {
      return {
        valid: false,
        code: "invalid_secret",
        reason: "the secret is not valid base64 for the standard scheme (whsec_ followed by base64)",
        scheme,
      };
    }
    if (typeof input.id !== "string" || input.id === "") {
      return { valid: false, code: "no_id", reason: "the standard signature signs the delivery id, and no webhook-id was given", scheme };
    }
  }

  let timestamp = parts.timestamp;
  let signedTimestamp = parts.timestampText;
  if (input.timestamp !== undefined && input.timestamp !== null) {
    const declaredText = String(input.timestamp).trim();
    if (declaredText !== "") {
      if (!UNIX_SECONDS.test(declaredText)) {
        const { code, reason } = timestampProblem(declaredText, scheme === "standard" ? "the webhook-timestamp" : "the X-Fanfare-Timestamp");
        return { valid: false, code, reason, scheme };
      }
      const declared = Number(declaredText);
      if (timestamp !== undefined && timestamp !== declared) {
        return {
          valid: false,
          code: "timestamp_mismatch",
          reason: `the X-Fanfare-Timestamp ${declared} differs from the signature's t=${timestamp}`,
          scheme,
        };
      }
      timestamp = declared;
      signedTimestamp ??= declaredText;
    }
  }
  if (scheme === "v1" && signedTimestamp === undefined) {
    return {
      valid: false,
      code: "no_timestamp",
      reason: "the v1 signature has no t= timestamp (and no X-Fanfare-Timestamp was given)",
      scheme,
    };
  }
  if (scheme === "standard" && signedTimestamp === undefined) {
    return { valid: false, code: "no_timestamp", reason: "the standard signature signs the timestamp, and no webhook-timestamp was given", scheme };
  }

  const expected = digestBytes(secret, payload, scheme, signedTimestamp, input.id);
  let matched = false;
  for (const digest of digests) {
    received.write(digest, 0, 32, "hex");
    // Every candidate is compared, so timing does not reveal which one matched.
    if (timingSafeEqual(expected, received)) matched = true;
  }
  if (!matched) {
    return {
      valid: false,
      code: "mismatch",
      reason:
        digests.length > 1
          ? `none of the ${digests.length} v1 signatures matches the payload and secret`
          : "the signature does not match the payload and secret",
      scheme,
    };
  }

  const tolerance =
    typeof input.tolerance === "number" && Number.isFinite(input.tolerance) && input.tolerance >= 0
      ? input.tolerance
      : DEFAULT_TOLERANCE_SECONDS;
  const age = timestamp === undefined ? undefined : input.now - timestamp;
  if (age !== undefined && tolerance > 0) {
    if (age > tolerance) {
      return {
        valid: false,
        code: "expired",
        reason: `the signature matches but its timestamp is ${formatSpan(age)} old, beyond the ${tolerance} s tolerance`,
        scheme,
      };
    }
    if (-age > tolerance) {
      return {
        valid: false,
        code: "future_timestamp",
        reason: `the signature matches but its timestamp is ${formatSpan(-age)} in the future, beyond the ${tolerance} s tolerance`,
        scheme,
      };
    }
  }
  return { valid: true, scheme, timestamp, age, timestampChecked: age !== undefined && tolerance > 0 };
}

/** How each scheme's signature looks, for the reason a signature of the wrong form is refused. */
const SCHEME_FORMS: Record<SignatureScheme, string> = {
  v1: "t=<ts>,v1=<hex>",
  sha256: "sha256=<hex>",
  hex: "<hex>",
  standard: "v1,<base64>",
};

/**
 * A span of whole seconds in the largest sensible unit (seconds up to ten minutes, where a tolerance
 * is compared), so a year-old timestamp does not read
 * "31536000 s": `420 s`, `12 min`, `5 h`, `3 days`, `2.5 years`. Below ten of a unit, one decimal.
 */
export function formatSpan(seconds: number): string {
  const s = Math.abs(seconds);
  const units: Array<[limit: number, size: number, name: string]> = [
    [600, 1, "s"],
    [2 * 3600, 60, "min"],
    [2 * 86_400, 3600, "h"],
    [2 * 365 * 86_400, 86_400, "days"],
    [Infinity, 365.25 * 86_400, "years"],
  ];
  const [, size, name] = units.find(([limit]) => s < limit)!;
  const value = s / size;
  const shown = size === 1 || value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
  return `${shown} ${name}`;
}

/**
 * A piece of the input, quoted for a one-line reason: cut short, with control characters escaped so
 * a header can neither break the line nor send escape sequences to the terminal.
 */
function quote(value: string, max = 40): string {
  const cut = value.length > max ? value.slice(0, max) : value;
  const escaped = JSON.stringify(cut).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
  return value.length > max ? escaped.slice(0, -1) + '…"' : escaped;
}
