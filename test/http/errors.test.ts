import { describe, expect, it } from "vitest";
import {
  DeadlineExceededError,
  describeNetworkError,
  formatDuration,
  networkErrorCode,
  ResponseTooLargeError,
  type NetworkCause,
} from "../../src/http/errors.js";
import { InvalidHeaderError } from "../../src/http/header-rules.js";

const coded = (code: string, message = `something ${code}`) => Object.assign(new Error(message), { code });

describe("describeNetworkError: one cause and one wording per failure", () => {
  const table: Array<[string, unknown, NetworkCause, string]> = [
    ["ECONNREFUSED", coded("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:3000"), "connection_refused", "connection refused"],
    ["ECONNRESET", coded("ECONNRESET", "read ECONNRESET"), "connection_reset", "connection reset"],
    ["EPIPE", coded("EPIPE"), "connection_reset", "connection reset"],
    ["ECONNABORTED", coded("ECONNABORTED"), "connection_reset", "connection reset"],
    ["undici: other side closed", coded("UND_ERR_SOCKET", "other side closed"), "connection_reset", "connection reset"],
    ["ETIMEDOUT", coded("ETIMEDOUT"), "timeout", "timed out"],
    ["undici connect timeout", coded("UND_ERR_CONNECT_TIMEOUT"), "timeout", "timed out"],
    ["undici headers timeout", coded("UND_ERR_HEADERS_TIMEOUT"), "timeout", "timed out"],
    ["undici body timeout", coded("UND_ERR_BODY_TIMEOUT"), "timeout", "timed out"],
    ["AbortSignal.timeout()", new DOMException("The operation timed out.", "TimeoutError"), "timeout", "timed out"],
    ["a missed deadline names its own limit", new DeadlineExceededError(300), "timeout", "timed out after 300 ms"],
    ["ENOTFOUND", coded("ENOTFOUND", "getaddrinfo ENOTFOUND nope.invalid"), "host_not_found", "host not found"],
    ["EAI_AGAIN", coded("EAI_AGAIN"), "host_not_found", "host not found"],
    [
      "a self-signed certificate",
      coded("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"),
      "tls",
      "TLS handshake failed (self-signed certificate)",
    ],
    [
      "a certificate for another host",
      coded("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames"),
      "tls",
      "TLS handshake failed (Hostname/IP does not match certificate's altnames)",
    ],
    [
      "https to a plain HTTP port (OpenSSL's reason, not its location codes)",
      Object.assign(coded("ERR_SSL_WRONG_VERSION_NUMBER", "80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:x.c:350:\n"), {
        reason: "wrong version number",
      }),
      "tls",
      "TLS handshake failed (wrong version number)",
    ],
    ["EPROTO without a reason", coded("EPROTO", "line one\nline two"), "tls", "TLS handshake failed (EPROTO)"],
    ["our response cap", new ResponseTooLargeError(1024), "too_large", "response too large"],
    ["undici's response cap", coded("UND_ERR_RES_EXCEEDED_MAX_SIZE"), "too_large", "response too large"],
    [
      "a header value undici would refuse, by its code point",
      new InvalidHeaderError("X-Fanfare-Event-Type", "value", 0x6771),
      "invalid_header",
      "invalid X-Fanfare-Event-Type header value (not sendable over HTTP: U+6771)",
    ],
    ["a control character in a value", new InvalidHeaderError("X-Fanfare-Delivery-Id", "value", 0x1b), "invalid_header", "invalid X-Fanfare-Delivery-Id header value (not sendable over HTTP: U+001B)"],
    ["a header name (not shown: it may hold anything)", new InvalidHeaderError("x\x1b[2Jy", "name", 0x1b), "invalid_header", "invalid header name (not sendable over HTTP: U+001B)"],
    ["an empty header name", new InvalidHeaderError("", "name", -1), "invalid_header", "invalid header name (empty)"],
    ["an unknown code keeps the message and names the code", coded("EWHAT", "boom"), "network_error", "boom (EWHAT)"],
    ["a message that already names its code", coded("EHOSTUNREACH", "connect EHOSTUNREACH 10.0.0.1:80"), "network_error", "connect EHOSTUNREACH 10.0.0.1:80"],
    ["no code at all", new Error("weird"), "network_error", "weird"],
    ["not even an Error", "just a string", "network_error", "just a string"],
  ];

  it.each(table)("%s", (_name, error, cause, message) => {
    expect(describeNetworkError(error)).toEqual({ cause, message });
  });

  it("finds the cause inside an AggregateError (happy eyeballs tries each address)", () => {
    const v6 = coded("ECONNREFUSED", "connect ECONNREFUSED ::1:3000");
    const v4 = coded("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:3000");
    const aggregate = Object.assign(new AggregateError([v6, v4], ""), { code: "ERR_AGGREGATE" });
    expect(describeNetworkError(aggregate)).toEqual({ cause: "connection_refused", message: "connection refused" });
    expect(networkErrorCode(aggregate)).toBe("ECONNREFUSED");
  });

  it("finds the cause behind `cause` (fetch-style wrapping)", () => {
    const wrapped = new TypeError("fetch failed", { cause: coded("ECONNRESET") });
    expect(describeNetworkError(wrapped)).toEqual({ cause: "connection_reset", message: "connection reset" });
    expect(describeNetworkError({ cause: { code: "ENOTFOUND" } }).cause).toBe("host_not_found");
  });

  it("names the caller's limit in a timeout", () => {
    expect(describeNetworkError(coded("UND_ERR_HEADERS_TIMEOUT"), { timeoutMs: 30_000 }).message).toBe("timed out after 30 s");
    expect(describeNetworkError(coded("ETIMEDOUT"), { timeoutMs: 200 }).message).toBe("timed out after 200 ms");
  });

  it("reads the same ECONNRESET the same way whoever wraps it", () => {
    const reset = coded("ECONNRESET", "read ECONNRESET");
    const shapes = [reset, { cause: reset }, new AggregateError([reset]), new Error("outer", { cause: { cause: reset } })];
    expect(new Set(shapes.map((e) => describeNetworkError(e).message))).toEqual(new Set(["connection reset"]));
  });
});

describe("formatDuration", () => {
  it.each([
    [200, "200 ms"],
    [999, "999 ms"],
    [1000, "1 s"],
    [1500, "1.5 s"],
    [30_000, "30 s"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
