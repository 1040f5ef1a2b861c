/**
 * When a delivery is retried (the platform's documented schedule): 6 attempts at
 * 0, 1 min, 5 min, 30 min, 2 h and 8 h after the event. Pure: the emulator's engine asks it what to do
 * after each attempt, and `--time-scale` only divides the delays.
 */
const RETRY_SCHEDULE_MS: readonly number[] = Object.freeze([0, 60e3, 300e3, 1800e3, 7200e3, 28800e3]);

const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length;

export type AttemptOutcome = "success" | "final" | "retry";

/**
 * Any 2xx succeeds. A 4xx is the receiver's bug and is not retried, except 408 (it timed out) and
 * 429 (it asked us to slow down). 5xx, timeouts and network errors (no status) are retried.
 * Statuses outside 200–599 (1xx, 3xx: redirects are not followed) count as retryable failures.
 */
export function classifyAttempt(result: { statusCode: number | null; error?: string | null }): AttemptOutcome {
  const status = result.statusCode;
  if (status === null || !Number.isInteger(status)) return "retry";
  if (status >= 200 && status < 300) return "success";
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return "final";
  return "retry";
}

/**
 * How long after a failed attempt the next one starts, or null when the schedule is used up.
 * `attemptsMade` counts attempts so far (1 after the first). The schedule lists the wait before each
 * attempt (the first goes at once), so the wait before attempt n+1 is slot n. `timeScale` > 1 divides
 * it; a bad scale (0, negative, NaN) counts as 1.
 */
export function nextAttemptDelayMs(attemptsMade: number, timeScale = 1): number | null {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 0) return null;
  if (attemptsMade >= MAX_ATTEMPTS) return null;
  const scale = Number.isFinite(timeScale) && timeScale > 0 ? timeScale : 1;
  return RETRY_SCHEDULE_MS[attemptsMade]! / scale;
}
