import { describe, expect, it } from "vitest";
import { backoffDelay, decideRetry, DEFAULT_RETRY_POLICY, parseRetryAfter } from "../../src/api/retry.js";

const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };
const NOW = Date.parse("2026-11-23T07:00:00Z");

describe("parseRetryAfter", () => {
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("3", NOW)).toBe(3000);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(0);
    expect(parseRetryAfter("1.5", NOW)).toBe(1500);
  });
  it("reads an HTTP-date relative to now, never negative", () => {
    expect(parseRetryAfter("Mon, 23 Nov 2026 07:00:10 GMT", NOW)).toBe(10_000);
    expect(parseRetryAfter("Mon, 23 Nov 2026 06:59:00 GMT", NOW)).toBe(0);
  });
  it("ignores what it cannot read", () => {
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
    expect(parseRetryAfter(null, NOW)).toBeNull();
    expect(parseRetryAfter("", NOW)).toBeNull();
    expect(parseRetryAfter("soon", NOW)).toBeNull();
    expect(parseRetryAfter("-5", NOW)).toBeNull();
  });
});

describe("backoffDelay", () => {
  it("doubles per retry, with half of each step random, capped", () => {
    expect(backoffDelay(0, policy, 0)).toBe(50);
    expect(backoffDelay(0, policy, 0.999)).toBe(100);
    expect(backoffDelay(1, policy, 0)).toBe(100);
    expect(backoffDelay(2, policy, 0.5)).toBe(300);
    expect(backoffDelay(10, policy, 1)).toBe(1_000);
  });
});

describe("decideRetry", () => {
  const response = (status: number, retryAfter?: string) => ({ kind: "response" as const, status, retryAfter });

  it("retries 5xx on GET/HEAD/OPTIONS only", () => {
    expect(decideRetry("GET", response(503), 0, policy, NOW, 0).retry).toBe(true);
    expect(decideRetry("HEAD", response(500), 0, policy, NOW, 0).retry).toBe(true);
    for (const method of ["POST", "PATCH", "DELETE", "PUT"]) {
      expect(decideRetry(method, response(503), 0, policy, NOW, 0)).toMatchObject({ retry: false });
    }
  });

  it("retries 429 on every method, honouring Retry-After (plus a little jitter)", () => {
    expect(decideRetry("POST", response(429, "2"), 0, policy, NOW, 0)).toEqual({ retry: true, delayMs: 2000 });
    const d = decideRetry("GET", response(429, "Mon, 23 Nov 2026 07:00:03 GMT"), 0, policy, NOW, 0.5);
    expect(d).toEqual({ retry: true, delayMs: 3050 });
    expect(decideRetry("GET", response(429), 1, policy, NOW, 0)).toEqual({ retry: true, delayMs: 100 });
  });

  it("does not wait for a Retry-After beyond the cap", () => {
    expect(decideRetry("GET", response(429, "6"), 0, policy, NOW, 0)).toMatchObject({ retry: false });
  });

  it("never retries other 4xx, or after the last retry", () => {
    for (const status of [400, 401, 403, 404, 409, 422]) {
      expect(decideRetry("GET", response(status), 0, policy, NOW, 0).retry).toBe(false);
    }
    expect(decideRetry("GET", response(503), 3, policy, NOW, 0)).toMatchObject({ retry: false, reason: "no retries left" });
  });

  it("network errors: GET always (not a header that cannot be sent), POST only when the connection was refused", () => {
    expect(decideRetry("GET", { kind: "network", cause: "connection_reset" }, 0, policy, NOW, 0).retry).toBe(true);
    expect(decideRetry("POST", { kind: "network", cause: "connection_reset" }, 0, policy, NOW, 0).retry).toBe(false);
    expect(decideRetry("POST", { kind: "network", cause: "connection_refused" }, 0, policy, NOW, 0).retry).toBe(true);
    expect(decideRetry("GET", { kind: "network", cause: "connection_refused" }, 1, policy, NOW, 0).retry).toBe(false);
    expect(decideRetry("GET", { kind: "network", cause: "invalid_header" }, 0, policy, NOW, 0).retry).toBe(false);
  });

  it("timeouts are never retried", () => {
    expect(decideRetry("GET", { kind: "timeout" }, 0, policy, NOW, 0).retry).toBe(false);
  });
});
