import { codePointLabel } from "../terminal/escape.js";
import type { InvalidHeaderError } from "./header-rules.js";
/**
 * Why a request got no usable HTTP answer, read from whatever Node or undici threw. This is the only
 * place that knows their error codes, so a reset connection reads the same in trigger, listen, the
 * emulator and the admin client.
 */

export type NetworkCause =
  | "connection_refused"
  | "connection_reset"
  | "timeout"
  | "host_not_found"
  | "tls"
  | "too_large"
  | "invalid_header"
  | "network_error";

export interface NetworkProblem {
  cause: NetworkCause;
  /** Short words a person can act on, e.g. "connection refused", "timed out after 30 s". */
  message: string;
}

interface ProblemContext {
  /** The limit that was exceeded when the cause is a timeout, so the words can name it. */
  timeoutMs?: number;
}

/** The whole exchange outlived its deadline (connect, send and the last byte of the answer). */
export class DeadlineExceededError extends Error {
  readonly code = "FANFARE_DEADLINE_EXCEEDED";
  constructor(readonly timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
    this.name = "DeadlineExceededError";
  }
}

/** The answer was longer than the caller agreed to hold. */
export class ResponseTooLargeError extends Error {
  readonly code = "FANFARE_RESPONSE_TOO_LARGE";
  constructor(readonly limitBytes: number) {
    super(`response larger than ${limitBytes} bytes`);
    this.name = "ResponseTooLargeError";
  }
}

const CAUSE_BY_CODE: Record<string, NetworkCause> = {
  ECONNREFUSED: "connection_refused",
  ECONNRESET: "connection_reset",
  ECONNABORTED: "connection_reset",
  EPIPE: "connection_reset",
  // undici's "other side closed": the peer hung up before answering in full.
  UND_ERR_SOCKET: "connection_reset",
  ETIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  FANFARE_DEADLINE_EXCEEDED: "timeout",
  ENOTFOUND: "host_not_found",
  EAI_AGAIN: "host_not_found",
  EAI_NONAME: "host_not_found",
  EAI_FAIL: "host_not_found",
  UND_ERR_RES_EXCEEDED_MAX_SIZE: "too_large",
  FANFARE_RESPONSE_TOO_LARGE: "too_large",
  FANFARE_INVALID_HEADER: "invalid_header",
  // A TLS client talking to a plain HTTP port (or the reverse) fails with EPROTO.
  EPROTO: "tls",
  DEPTH_ZERO_SELF_SIGNED_CERT: "tls",
  SELF_SIGNED_CERT_IN_CHAIN: "tls",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "tls",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "tls",
  CERT_HAS_EXPIRED: "tls",
  CERT_NOT_YET_VALID: "tls",
  ERR_TLS_CERT_ALTNAME_INVALID: "tls",
};

function causeOfCode(code: string): NetworkCause | undefined {
  const known = CAUSE_BY_CODE[code];
  if (known) return known;
  if (code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || code.startsWith("CERT_")) return "tls";
  return undefined;
}

interface ErrorLike {
  code?: unknown;
  /** OpenSSL's own words ("wrong version number"), without the library's location codes. */
  reason?: unknown;
  name?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/**
 * The error that says what happened: Node's happy-eyeballs connect wraps one error per address in an
 * AggregateError, and fetch-style errors keep the real one as `cause`.
 */
function innermostKnown(error: unknown, depth = 0): { error: ErrorLike; code: string; cause: NetworkCause } | undefined {
  if (error === null || typeof error !== "object" || depth > 5) return undefined;
  const e = error as ErrorLike;
  if (typeof e.code === "string") {
    const cause = causeOfCode(e.code);
    if (cause) return { error: e, code: e.code, cause };
  }
  if (e.name === "TimeoutError") return { error: e, code: "TimeoutError", cause: "timeout" };
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const found = innermostKnown(inner, depth + 1);
      if (found) return found;
    }
  }
  return innermostKnown(e.cause, depth + 1);
}

/** The error's code, wherever Node or undici put it. */
export function networkErrorCode(error: unknown): string | undefined {
  const known = innermostKnown(error);
  if (known) return known.code;
  let current = error as ErrorLike | undefined;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    if (typeof current.code === "string" && current.code !== "ERR_AGGREGATE") return current.code;
    current = (Array.isArray(current.errors) ? current.errors[0] : current.cause) as ErrorLike | undefined;
  }
  return undefined;
}

function tlsDetail(error: ErrorLike, code: string): string {
  if (typeof error.reason === "string" && error.reason) return error.reason;
  const message = typeof error.message === "string" ? error.message.trim() : "";
  return message && !message.includes("\n") && !/routines:/.test(message) ? message : code;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/**
 * e.g. `invalid X-Fanfare-Event-Type header value (not sendable over HTTP: U+6771)`. Safe for a
 * terminal as it is: a value's name passed the token check, a bad name is not shown at all.
 */
function invalidHeaderWords(error: ErrorLike): string {
  const e = error as Partial<InvalidHeaderError>;
  const what = e.part === "name" ? "invalid header name" : `invalid ${e.headerName} header value`;
  return e.codePoint === undefined || e.codePoint < 0 ? `${what} (empty)` : `${what} (not sendable over HTTP: ${codePointLabel(e.codePoint)})`;
}

/** One cause and one wording for any failed request. */
export function describeNetworkError(error: unknown, context: ProblemContext = {}): NetworkProblem {
  const known = innermostKnown(error);
  switch (known?.cause) {
    case "connection_refused":
      return { cause: "connection_refused", message: "connection refused" };
    case "connection_reset":
      return { cause: "connection_reset", message: "connection reset" };
    case "timeout": {
      const ms = known.error instanceof DeadlineExceededError ? known.error.timeoutMs : context.timeoutMs;
      return { cause: "timeout", message: ms === undefined ? "timed out" : `timed out after ${formatDuration(ms)}` };
    }
    case "host_not_found":
      return { cause: "host_not_found", message: "host not found" };
    case "tls": {
      return { cause: "tls", message: `TLS handshake failed (${tlsDetail(known.error, known.code)})` };
    }
    case "too_large":
      return { cause: "too_large", message: "response too large" };
    case "invalid_header":
      return { cause: "invalid_header", message: invalidHeaderWords(known.error) };
    default: {
      const code = networkErrorCode(error);
      const e = error as ErrorLike | null;
      const text = e && typeof e.message === "string" && e.message ? e.message : String(error);
      return { cause: "network_error", message: code && !text.includes(code) ? `${text} (${code})` : text };
    }
  }
}
