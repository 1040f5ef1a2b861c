import { isSettledStatus, type Delivery } from "./types.js";

interface AwaitDeliveryOptions {
  /** Stop waiting this long after the start. */
  boundMs: number;
  /** Between two looks at the delivery. Default 250 ms. */
  intervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** What is waited for; by default a settled delivery (see below). */
  done?: (delivery: Delivery) => boolean;
}

/** The attempt just made (a test delivery's first, a redelivery) has finished, however it went. */
const attemptFinished = (delivery: Delivery): boolean => delivery.status !== "pending";

/**
 * Looks at a delivery (`get`) until it has settled (succeeded, failed, permanently_failed) or the
 * bound is reached. A retry scheduled past the bound ends the wait at once: nothing will change
 * before then (with the real schedule the second attempt is a minute away; with the emulator's
 * --time-scale it may be milliseconds, and then the wait sees it through).
 */
export async function awaitDelivery(
  first: Delivery,
  get: () => Promise<Delivery>,
  options: AwaitDeliveryOptions,
): Promise<{ delivery: Delivery; settled: boolean }> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const interval = options.intervalMs ?? 250;
  const deadline = now() + options.boundMs;
  const done = options.done ?? ((d: Delivery) => isSettledStatus(d.status));
  let delivery = first;
  for (;;) {
    if (done(delivery)) return { delivery, settled: true };
    const next = delivery.status === "retrying" && delivery.nextAttemptAt ? Date.parse(delivery.nextAttemptAt) : NaN;
    if (next > deadline || now() >= deadline) return { delivery, settled: false };
    await sleep(Math.max(0, Math.min(interval, deadline - now())));
    delivery = await get();
  }
}

/** Longer than an attempt's own 30 s timeout, so a slow answer is still seen. */
const ATTEMPT_BOUND_MS = 35_000;

/**
 * After a call that starts an attempt (a test delivery, a redelivery), which the API may answer
 * while the attempt is still in flight (`pending`): the delivery once that attempt has finished, or
 * as it stands after the bound.
 */
export async function awaitAttempt(first: Delivery, get: () => Promise<Delivery>, boundMs = ATTEMPT_BOUND_MS): Promise<Delivery> {
  return (await awaitDelivery(first, get, { boundMs, done: attemptFinished })).delivery;
}
