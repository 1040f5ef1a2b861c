import type { Command } from "commander";
import type { GlobalOptions } from "../config/globals.js";
import { usageError } from "../errors.js";
import {
  assertSecretFitsScheme,
  DEFAULT_TOLERANCE_SECONDS,
  parseSignatureScheme,
  SECRET_ENV,
  SIGNATURE_SCHEMES,
} from "../signing/options.js";
// Static imports: this module is already its own lazily loaded chunk, and a second dynamic hop
// only adds a round of loading to verify's start-up.
import { isStandardSignature, verifySignature } from "../signing/signature.js";
import { readSource, type InputStream } from "../terminal/input.js";
import type { Output } from "../terminal/output.js";
import { type CommandContext, examples, outputOf, runWith } from "./context.js";
import type { CommandDeps } from "./deps.js";

interface VerifyOptions {
  secret?: string;
  payload?: string;
  signature?: string;
  timestamp?: string;
  tolerance?: string;
  id?: string;
  scheme?: string;
}


export function registerVerify(parent: Command, ctx: CommandContext): void {
  parent
    .command("verify")
    .description("check a delivery's X-Fanfare-Signature (or webhook-signature) against its raw body and the signing secret")
    .option("--secret <secret>", `signing secret, whsec_… (env ${SECRET_ENV}, preferred: argv is visible in ps)`)
    .option("--payload <file>", "the raw request body, byte for byte; - reads stdin")
    .option(
      "--signature <header>",
      "the X-Fanfare-Signature value: t=<ts>,v1=<hex> | sha256=<hex> | <hex>; or webhook-signature's: v1,<base64> (several space-separated)",
    )
    .option("--timestamp <unix>", "the X-Fanfare-Timestamp value (webhook-timestamp for standard), when the delivery had one")
    .option("--id <id>", "the webhook-id value: the standard scheme signs it")
    .option("--scheme <scheme>", `the scheme to expect: ${SIGNATURE_SCHEMES.join(" | ")} (default: read from the signature)`)
    .option("--tolerance <seconds>", "largest timestamp age either way; 0 skips the check (default: 300)")
    .addHelpText(
      "after",
      examples([
        [
          `fanfare webhooks verify --secret "$SECRET" --payload body.json --signature "t=1718000000,v1=5257a8…"`,
          "check a saved delivery (exit 0 valid, 1 invalid, 2 missing input)",
        ],
        [
          `cat body.json | fanfare webhooks verify --payload - --signature "$SIG"`,
          `read the body from stdin, the secret from ${SECRET_ENV}`,
        ],
        [
          `fanfare webhooks verify --payload body.json --signature "$SIG" --tolerance 0 --json`,
          "an old delivery from a log: skip the age check, print JSON",
        ],
        [
          `fanfare webhooks verify --scheme standard --payload body.json --id "$WEBHOOK_ID" --timestamp "$WEBHOOK_TIMESTAMP" --signature "v1,K5oZ…"`,
          "a Standard Webhooks delivery (webhook-id, webhook-timestamp, webhook-signature headers)",
        ],
        [
          `printf '%s.' "$TS" | cat - body.json | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1`,
          "sign a body by hand; the header is then t=$TS,v1=<that hex>",
        ],
      ]),
    )
    .action(runWith(ctx, verify));
}

function describeAge(age: number | undefined, tolerance: number): string {
  if (age === undefined) return "no timestamp to check";
  const when = age >= 0 ? `${age} s old` : `${-age} s ahead`;
  return tolerance > 0 ? `timestamp ${when}` : `timestamp ${when}, not checked`;
}

/** Lets people paste a whole header line (`X-Fanfare-Signature: t=…`) as well as its value. */
function stripHeaderName(value: string, name: string): string {
  const colon = value.indexOf(":");
  if (colon > 0 && value.slice(0, colon).trim().toLowerCase() === name) return value.slice(colon + 1);
  return value;
}

function parseTolerance(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TOLERANCE_SECONDS;
  const value = raw.trim();
  if (!/^\d{1,9}$/.test(value)) {
    throw usageError(
      `--tolerance must be whole seconds, got "${raw}"`,
      "for example --tolerance 300 (the default), or --tolerance 0 to skip the timestamp check",
      "bad_flag",
    );
  }
  return Number(value);
}

function parseTimestampFlag(raw: string): string {
  const value = stripHeaderName(stripHeaderName(raw, "x-fanfare-timestamp"), "webhook-timestamp").trim();
  if (/^\d{13}$/.test(value)) {
    throw usageError(
      `--timestamp "${raw}" looks like milliseconds`,
      "pass unix seconds, as in the X-Fanfare-Timestamp header (drop the last three digits)",
      "bad_flag",
    );
  }
  if (!/^\d{1,12}$/.test(value)) {
    throw usageError(
      `--timestamp must be unix seconds, got "${raw.length > 40 ? raw.slice(0, 40) + "…" : raw}"`,
      "pass the X-Fanfare-Timestamp header value, e.g. --timestamp 1718000000",
      "bad_flag",
    );
  }
  return value;
}

/** What a standard signature needs besides itself: missing input is a usage error (exit 2), not an invalid signature. */
function checkStandardInput(secret: string, id: string | undefined, timestamp: string | undefined): void {
  assertSecretFitsScheme(secret, "standard");
  if (!id) {
    throw usageError(
      "no --id for a standard signature",
      "pass --id with the webhook-id header value: the standard scheme signs it with the timestamp and body",
      "missing_id",
    );
  }
  if (timestamp === undefined) {
    throw usageError(
      "no --timestamp for a standard signature",
      "pass --timestamp with the webhook-timestamp header value (unix seconds)",
      "missing_timestamp",
    );
  }
}

/** The body as bytes: a binary or re-encoded body must verify exactly as it arrived. */
async function readPayload(source: string, out: Output, stdin: () => InputStream): Promise<Buffer> {
  if (source === "-" && stdin().isTTY) out.info("reading the payload from stdin; end it with Ctrl-D");
  return readSource(source, {
    stdin,
    what: "the payload file",
    hint: "pass the file holding the raw request body, or --payload - to read stdin",
    code: "payload_unreadable",
  });
}

export async function verify(options: GlobalOptions & VerifyOptions, deps: CommandDeps): Promise<number | void> {
  const out = outputOf(options, deps);
  const secret = options.secret || deps.env[SECRET_ENV];
  if (!secret) {
    throw usageError(
      "no signing secret",
      `pass --secret whsec_… or export ${SECRET_ENV}=whsec_…`,
      "missing_secret",
    );
  }
  if (options.payload === undefined) {
    throw usageError(
      "no payload",
      "pass --payload FILE with the raw request body, or --payload - to read it from stdin",
      "missing_payload",
    );
  }
  if (options.signature === undefined) {
    throw usageError(
      "no signature",
      "pass --signature with the X-Fanfare-Signature header value, e.g. --signature 't=…,v1=…'",
      "missing_signature",
    );
  }
  const tolerance = parseTolerance(options.tolerance);
  const timestamp = options.timestamp === undefined ? undefined : parseTimestampFlag(options.timestamp);
  const signature = stripHeaderName(stripHeaderName(options.signature, "x-fanfare-signature"), "webhook-signature");
  const expected = options.scheme === undefined ? undefined : parseSignatureScheme(options.scheme);
  const id = options.id === undefined ? undefined : stripHeaderName(options.id, "webhook-id").trim();
  if (expected === "standard" || (expected === undefined && isStandardSignature(signature))) {
    checkStandardInput(secret, id, timestamp);
  }
  const payload = await readPayload(options.payload, out, () => deps.stdin);

  const result = verifySignature({
    secret,
    payload,
    signature,
    id,
    scheme: expected,
    timestamp,
    tolerance,
    now: Math.floor(deps.now().getTime() / 1000),
  });
  out.debug(`payload: ${payload.length} bytes from ${options.payload === "-" ? "stdin" : options.payload}`);

  if (result.valid) {
    if (out.json) {
      out.printJson({
        valid: true,
        scheme: result.scheme,
        timestamp: result.timestamp ?? null,
        age: result.age ?? null,
        tolerance,
        timestampChecked: result.timestampChecked,
      });
    } else {
      out.print(`${out.style.green("✓")} valid signature (${result.scheme}, ${describeAge(result.age, tolerance)})`);
    }
    return 0;
  }
  if (out.json) {
    out.printJson({ valid: false, code: result.code, reason: result.reason, scheme: result.scheme ?? null });
  } else {
    // One line on stderr, as every failure: the reason is the whole story.
    out.stderr.write(`${out.style.red("✗ invalid signature")} (${result.code}): ${result.reason}\n`);
  }
  return 1;
}
