import type { SignatureScheme } from "../signing/options.js";
import type { DeliveryResult } from "./report.js";
import { recordedHeaders, type CapturedDelivery } from "./replay-log.js";
import { signDelivery, type DeliveryClient, type SignedDelivery } from "./send.js";
import { collectSends, type TriggerOutcome } from "./trigger.js";

interface ReplayRun {
  deliveries: readonly CapturedDelivery[];
  url: URL;
  concurrency: number;
  /**
   * How each delivery is signed: afresh with this secret, the current time and its scheme (the one
   * asked for, or the one it was recorded in: the command read them all before sending), or
   * `as-recorded`: the original bytes and headers, old signature and all.
   */
  signing: { secret: string; schemeOf: (delivery: CapturedDelivery) => SignatureScheme } | "as-recorded";
  client: Pick<DeliveryClient, "send">;
  onResult?(result: DeliveryResult): void;
  signal?: AbortSignal;
  /** Epoch ms; passed in so tests control timestamps. */
  now?: () => number;
  elapsed?: () => number;
}

/** What one captured delivery becomes on the wire. */
function replayedDelivery(delivery: CapturedDelivery, signing: ReplayRun["signing"], nowMs: number): SignedDelivery {
  if (signing === "as-recorded") {
    return { eventType: delivery.eventType, deliveryId: delivery.id, body: delivery.body, headers: recordedHeaders(delivery.headers) };
  }
  // The same id (a handler's idempotency check sees a repeat, as with a platform's retry), the
  // same bytes, a fresh timestamp so a tolerance check passes.
  return signDelivery({
    eventType: delivery.eventType,
    deliveryId: delivery.id,
    body: delivery.body,
    secret: signing.secret,
    scheme: signing.schemeOf(delivery),
    timestamp: Math.floor(nowMs / 1000),
  });
}

/**
 * Re-sends captured deliveries to one URL, `concurrency` at a time, in log order, with trigger's
 * rules: failures are results, a refused connection stops the run (nothing is listening), so does
 * the signal; the run ends with trigger's summary.
 */
export async function replayDeliveries(run: ReplayRun): Promise<TriggerOutcome> {
  const now = run.now ?? Date.now;
  const total = run.deliveries.length;
  return collectSends({ ...run, rounds: total, planned: total, firstUrl: run.url.href }, (index, send) =>
    send(run.url, replayedDelivery(run.deliveries[index]!, run.signing, now())),
  );
}
