import { isSettledStatus, type Delivery } from "./types.js";

interface AwaitDeliveryOptions {
  /** Stop waiting this long after the start. */
  boundMs: number;
  /** Between two looks at the delivery. Default 250 ms. */
  intervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

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
  let delivery = first;
  for (;;) {
    if (isSettledStatus(delivery.status)) return { delivery, settled: true };
    const next = delivery.status === "retrying" && delivery.nextAttemptAt ? Date.parse(delivery.nextAttemptAt) : NaN;
    if (next > deadline || now() >= deadline) return { delivery, settled: false };
    await sleep(Math.max(0, Math.min(interval, deadline - now())));
    delivery = await get();
  }
}
