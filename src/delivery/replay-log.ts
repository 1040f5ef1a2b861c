import { HEADER, receivedSignature, STANDARD_HEADER } from "../signing/headers.js";
import { parseSignatureHeader } from "../signing/signature.js";
import { SIGNATURE_SCHEMES, type SignatureScheme } from "../signing/options.js";
import { eventPatternMatcher } from "../events/event-pattern.js";

/**
 * What `replay` reads: the NDJSON that `listen --log-file` writes, one completed delivery a line
 * (listen/log-file.ts), of which it needs the id, the event type, the request headers and the body
 * (`body` text, or `bodyBase64` when the bytes were not UTF-8). Pure.
 */
export interface CapturedDelivery {
  /** 1-based line of the log, for messages. */
  line: number;
  id: string;
  eventType: string;
  /** The request headers as received, names in lower case. */
  headers: Record<string, string>;
  /** The exact bytes that arrived. */
  body: Buffer;
}

interface SkippedLine {
  line: number;
  reason: string;
}

interface ParsedLog {
  deliveries: CapturedDelivery[];
  /** Lines that are not a captured delivery (truncated, foreign, blank ones are not counted). */
  skipped: SkippedLine[];
}

/** Reads a whole log; a line that is not a captured delivery is skipped with the reason, never thrown. */
export function parseReplayLog(text: string): ParsedLog {
  const deliveries: CapturedDelivery[] = [];
  const skipped: SkippedLine[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, "");
    if (raw.trim() === "") continue;
    const parsed = parseLogLine(raw, i + 1);
    if ("reason" in parsed) skipped.push(parsed);
    else deliveries.push(parsed);
  }
  return { deliveries, skipped };
}

function parseLogLine(raw: string, line: number): CapturedDelivery | SkippedLine {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { line, reason: "not JSON (a truncated or foreign line)" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { line, reason: "not a JSON object" };
  const record = value as Record<string, unknown>;
  const headers = record.headers;
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    return { line, reason: "no request headers: not a line of listen --log-file" };
  }
  const names: Record<string, string> = {};
  for (const [name, v] of Object.entries(headers)) {
    if (typeof v === "string") names[name.toLowerCase()] = v;
  }
  let body: Buffer;
  if (typeof record.body === "string") body = Buffer.from(record.body, "utf8");
  else if (typeof record.bodyBase64 === "string") body = Buffer.from(record.bodyBase64, "base64");
  else return { line, reason: "no body: not a line of listen --log-file" };
  const id = stringOr(record.id) ?? names[HEADER.deliveryId.toLowerCase()] ?? names[STANDARD_HEADER.id];
  const eventType = stringOr(record.eventType) ?? names[HEADER.eventType.toLowerCase()];
  if (id === undefined || eventType === undefined) return { line, reason: "no delivery id or event type" };
  return { line, id, eventType, headers: names, body };
}

function stringOr(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

interface ReplayFilter {
  /** Event type patterns: `*` matches any run of characters, dots included (`draw.*`). */
  events?: readonly string[];
  /** Delivery ids. */
  ids?: readonly string[];
}

/** The deliveries a filter selects, in log order. No filter: all of them. */
export function selectDeliveries(deliveries: readonly CapturedDelivery[], filter: ReplayFilter): CapturedDelivery[] {
  const patterns = (filter.events ?? []).map(eventPatternMatcher);
  const ids = new Set(filter.ids ?? []);
  return deliveries.filter(
    (d) => (patterns.length === 0 || patterns.some((matches) => matches(d.eventType))) && (ids.size === 0 || ids.has(d.id)),
  );
}

/** The scheme a captured delivery was signed in, or why its recorded signature cannot tell. */
type RecordedScheme =
  | { ok: true; scheme: SignatureScheme }
  | { ok: false; /** The header the signature was read from. */ header: string; reason: string };

/**
 * The scheme a captured delivery was signed in, read from its headers by the signing layer's one
 * reader (receivedSignature, then parseSignatureHeader), so replay and listen's verification agree
 * on what a header is. v1 when it had no signature; a malformed one (from whoever sent to listen)
 * is reported with the parser's reason, for the command to refuse before sending anything.
 */
export function recordedScheme(headers: Readonly<Record<string, string>>): RecordedScheme {
  const { signature, header } = receivedSignature(headers);
  if (signature === undefined || signature.trim() === "") return { ok: true, scheme: SIGNATURE_SCHEMES[0] };
  const parsed = parseSignatureHeader(signature);
  return parsed.ok ? { ok: true, scheme: parsed.value.scheme } : { ok: false, header, reason: parsed.reason };
}

/**
 * Headers that belong to one connection, not to the delivery: what `--as-recorded` leaves out
 * (the HTTP layer sets its own host, length and connection).
 */
const CONNECTION_HEADERS = new Set([
  "host",
  "content-length",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "proxy-authorization",
  "proxy-connection",
]);

/** The recorded headers to send again as they were. */
export function recordedHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!CONNECTION_HEADERS.has(name)) kept[name] = value;
  return kept;
}
