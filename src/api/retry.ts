/**
 * When the admin client tries a request again (pure: the caller passes the clock and randomness).
 *
 * - 429 is retried for every method: a rate-limited request was refused before any work was done.
 * - 5xx and dropped connections are retried only for safe methods (GET, HEAD, OPTIONS). A POST or
 *   PATCH that failed mid-way may have been applied; repeating it could create a second endpoint or
 *   rotate a secret twice, so the error goes back to the user instead. DELETE is not retried either:
 *   a repeat of a delete that went through answers 404, which would hide the success.
 * - A refused connection is retried once, for every method: the request never reached a server,
 *   and a second refusal almost always means a wrong --api-base or an emulator not started, which
 *   the user should hear about at once rather than after seconds of backoff.
 * - A timeout is not retried: it already cost the user the whole timeout.
 */

import type { NetworkCause } from "../http/errors.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface RetryPolicy {
  maxRetries: number;
  /** First backoff step; it doubles each retry. */
  baseDelayMs: number;
  /** No backoff step is longer than this. */
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the error says how long to wait instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
};

export type AttemptOutcome =
  | { kind: "response"; status: number; retryAfter?: string | null }
  | { kind: "network"; cause?: NetworkCause }
  | { kind: "timeout" };

type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/**
 * `retriesMade` counts the retries already made (0 after the first attempt).
 * `random` is a number in [0, 1) used for jitter.
 */
export function decideRetry(
  method: string,
  outcome: AttemptOutcome,
  retriesMade: number,
  policy: RetryPolicy,
  now: number,
  random: number,
): RetryDecision {
  const safe = SAFE_METHODS.has(method.toUpperCase());
  if (outcome.kind === "timeout") return { retry: false, reason: "timeouts are not retried" };
  if (retriesMade >= policy.maxRetries) return { retry: false, reason: "no retries left" };

  if (outcome.kind === "network") {
    // A header undici would refuse is refused again on every try.
    if (outcome.cause === "invalid_header") return { retry: false, reason: "the request cannot be sent as it is" };
    const neverSent = outcome.cause === "connection_refused";
    if (neverSent && retriesMade >= 1) return { retry: false, reason: "the connection was refused twice" };
    if (!safe && !neverSent) return { retry: false, reason: `${method} is not retried after a dropped connection` };
    return { retry: true, delayMs: backoffDelay(retriesMade, policy, random) };
  }

  const { status } = outcome;
  if (status === 429) {
    const after = parseRetryAfter(outcome.retryAfter, now);
    if (after !== null) {
      if (after > policy.maxRetryAfterMs) return { retry: false, reason: "Retry-After is too long to wait" };
      // Retry-After is a floor; a little jitter keeps many clients from coming back at once.
      return { retry: true, delayMs: after + Math.floor(random * Math.min(250, policy.baseDelayMs)) };
    }
    return { retry: true, delayMs: backoffDelay(retriesMade, policy, random) };
  }
  if (status >= 500 && status <= 599) {
    if (!safe) return { retry: false, reason: `${method} is not retried after a server error` };
    return { retry: true, delayMs: backoffDelay(retriesMade, policy, random) };
  }
  return { retry: false, reason: `${status} is final` };
}

/** Exponential backoff with "equal jitter": half the step fixed, half random, never above the cap. */
export function backoffDelay(retriesMade: number, policy: RetryPolicy, random: number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retriesMade);
  return Math.round(step / 2 + (step / 2) * random);
}

/**
 * Retry-After as milliseconds from `now`: either delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`). Null when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === "") return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP-date always names its month; this keeps Date.parse from reading "-5" as a year.
  if (!/[A-Za-z]{3}/.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
