import { describe, expect, it } from "vitest";
import { planChecks } from "../../src/check/plan.js";
import { roundSize, runChecks } from "../../src/check/run.js";
import type { DeliveryResult } from "../../src/delivery/report.js";
import type { SignedDelivery } from "../../src/delivery/send.js";
import { eventNames, requireEventType } from "../../src/events/catalog.js";
import { sampleOf } from "../../src/events/sample.js";

const URL_ = new URL("http://127.0.0.1:9/webhooks");
const plans = (events = ["draw.consumer.won"]) =>
  planChecks({ events, secret: "whsec_runTest", sample: (e) => sampleOf(requireEventType(e)) });
/** Twelve documented event types: 21 requests, 20 of them in the first round. */
const TWELVE = eventNames().slice(0, 12);
const TIMED_OUT = { status: null, ok: false, error: "timed out after 30 s", errorCode: "timeout" } as const;

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

  it("counts a round as every request that waits for no other: all but the redelivery's repeat", () => {
    expect(roundSize(plans())).toBe(9);
    expect(roundSize(plans(TWELVE))).toBe(20);
  });

  it("gives up on a handler that answered none of the first 10 requests, without waiting for the rest in flight", async () => {
    let timeouts = 0;
    // The first 10 time out; the others would hang for good: a run that waited for them would not end.
    const client = fakeClient(() =>
      ++timeouts <= 10 ? new Promise((r) => setTimeout(() => r(TIMED_OUT), 5)) : new Promise<never>(() => {}),
    );
    const outcome = await runChecks({ plans: plans(TWELVE), url: URL_, scheme: "v1", client, concurrency: 64 });
    expect(outcome.stopped).toEqual({ timedOut: 10 });
    expect(outcome.verdicts).toEqual([]);
    expect(outcome.notRun.map((p) => p.name)).toEqual(plans().map((p) => p.name));
    expect(outcome).toMatchObject({ interrupted: false, unreachable: false });
  });

  it("gives up after a whole round when a round is smaller than 10 requests", async () => {
    const client = fakeClient(() => TIMED_OUT);
    const outcome = await runChecks({ plans: plans(), url: URL_, scheme: "v1", client, concurrency: 3 });
    expect(outcome.stopped).toEqual({ timedOut: 3 });
    expect(client.sent.length).toBeLessThan(10);
  });

  it("does not give up on a handler that answered once, however many requests time out", async () => {
    let n = 0;
    const client = fakeClient(() => (++n === 1 ? {} : TIMED_OUT));
    const outcome = await runChecks({ plans: plans(TWELVE), url: URL_, scheme: "v1", client, concurrency: 1 });
    expect(outcome.stopped).toBeUndefined();
    expect(client.sent).toHaveLength(21);
    expect(outcome.verdicts).toHaveLength(8);
  });
});
