import { describe, expect, it } from "vitest";
import { planChecks } from "../../src/check/plan.js";
import { runChecks } from "../../src/check/run.js";
import type { DeliveryResult } from "../../src/delivery/report.js";
import type { SignedDelivery } from "../../src/delivery/send.js";
import { requireEventType } from "../../src/events/catalog.js";
import { sampleOf } from "../../src/events/sample.js";

const URL_ = new URL("http://127.0.0.1:9/webhooks");
const plans = () =>
  planChecks({ events: ["draw.consumer.won"], secret: "whsec_runTest", sample: (e) => sampleOf(requireEventType(e)) });

/** A client that answers from `reply`, recording what was sent and how many were in flight at once. */
function fakeClient(reply: (d: SignedDelivery) => Partial<DeliveryResult> | Promise<Partial<DeliveryResult>>) {
  const sent: SignedDelivery[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    sent,
    get maxInFlight() {
      return maxInFlight;
    },
    async send(url: URL, delivery: SignedDelivery): Promise<DeliveryResult> {
      sent.push(delivery);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        const r = await reply(delivery);
        const status = r.status === undefined ? 200 : r.status;
        return {
          event: delivery.eventType,
          id: delivery.deliveryId,
          url: url.href,
          status,
          ok: status !== null && status < 300,
          durationMs: 1,
          error: null,
          errorCode: null,
          responseBody: "",
          ...r,
        };
      } finally {
        inFlight--;
      }
    },
  };
}

describe("runChecks", () => {
  it("sends the redelivery first and its repeat only after the first answer, the rest concurrently", async () => {
    const client = fakeClient(async () => {
      await new Promise((r) => setTimeout(r, 5));
      return {};
    });
    const outcome = await runChecks({
      plans: plans(),
      url: URL_,
      scheme: "v1",
      client,
      concurrency: 20,
    });
    // The first request out is the redelivery's first; its repeat (same id) goes out after it answered.
    const ids = client.sent.map((d) => d.deliveryId);
    const repeatAt = ids.lastIndexOf(ids[0]!);
    expect(repeatAt).toBe(ids.length - 1);
    expect(client.sent).toHaveLength(10);
    expect(client.maxInFlight).toBe(9);
    expect(outcome.verdicts.map((v) => v.result)).toEqual(["pass", "fail", "fail", "fail", "fail", "pass", "pass", "pass"]);
    expect(outcome).toMatchObject({ interrupted: false, unreachable: false });
  });

  it("keeps to the concurrency", async () => {
    const client = fakeClient(async () => {
      await new Promise((r) => setTimeout(r, 2));
      return {};
    });
    await runChecks({ plans: plans(), url: URL_, scheme: "v1", client, concurrency: 2 });
    expect(client.maxInFlight).toBe(2);
  });

  it("calls a run where every request was refused unreachable", async () => {
    const client = fakeClient(() => ({ status: null, error: "connection refused", errorCode: "connection_refused" }));
    const outcome = await runChecks({ plans: plans(), url: URL_, scheme: "v1", client, concurrency: 4 });
    expect(outcome.unreachable).toBe(true);
  });

  it("stops sending when the signal aborts and judges only the checks that finished", async () => {
    const controller = new AbortController();
    const client = fakeClient(() => {
      controller.abort();
      return {};
    });
    const outcome = await runChecks({ plans: plans(), url: URL_, scheme: "v1", client, concurrency: 1, signal: controller.signal });
    expect(client.sent).toHaveLength(1);
    expect(outcome.interrupted).toBe(true);
    expect(outcome.verdicts).toEqual([]);
  });
});
