import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { DeliveryResult } from "../../src/delivery/report.js";
import type { SignedDelivery } from "../../src/delivery/send.js";
import { bodyMaker, eventAt, plannedDeliveries, triggerDeliveries, type TriggerRun } from "../../src/delivery/trigger.js";

const SECRET = "whsec_triggerUnit";
const URL_ = new URL("http://127.0.0.1:3000/webhooks");

/** A client that answers from a script and records what it was asked to send. */
function fakeClient(answer: (d: SignedDelivery, n: number) => Partial<DeliveryResult> = () => ({})) {
  const sent: SignedDelivery[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  return {
    sent,
    mostInFlight: () => mostInFlight,
    send: async (url: URL, d: SignedDelivery): Promise<DeliveryResult> => {
      sent.push(d);
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      const a = answer(d, sent.length);
      const status = a.status === undefined ? 200 : a.status;
      return {
        event: d.eventType,
        id: d.deliveryId,
        url: url.href,
        status,
        ok: status !== null && status >= 200 && status < 300,
        durationMs: 1,
        error: null,
        errorCode: null,
        responseBody: "",
        ...a,
      };
    },
  };
}

let seq = 0;
function run(overrides: Partial<TriggerRun> & Pick<TriggerRun, "client">): TriggerRun {
  return {
    events: ["draw.consumer.won", "queue.consumer.entered"],
    count: 1,
    concurrency: 1,
    url: URL_,
    secret: SECRET,
    scheme: "v1",
    buildPayload: (event, now) => ({ id: `whk_${++seq}`, type: event, timestamp: now.toISOString(), data: { n: seq } }),
    now: () => 1_700_000_000_500,
    elapsed: () => 0,
    ...overrides,
  };
}

describe("plan", () => {
  it("sends every event in turn, count rounds", () => {
    const events = ["a", "b", "c"];
    expect(plannedDeliveries(events, 2)).toBe(6);
    expect([0, 1, 2, 3, 4, 5].map((i) => eventAt(events, i))).toEqual(["a", "b", "c", "a", "b", "c"]);
  });
});

describe("triggerDeliveries", () => {
  it("sends count × events fresh payloads, each signed over exactly its body", async () => {
    const client = fakeClient();
    const results: DeliveryResult[] = [];
    const { summary } = await triggerDeliveries(run({ client, count: 3, concurrency: 2, onResult: (r) => results.push(r) }));
    expect(client.sent).toHaveLength(6);
    expect(new Set(client.sent.map((d) => d.deliveryId)).size).toBe(6);
    expect(client.mostInFlight()).toBe(2);
    for (const d of client.sent) {
      const payload = JSON.parse(d.body.toString());
      expect(d.deliveryId).toBe(payload.id);
      expect(d.headers["x-fanfare-delivery-id"]).toBe(payload.id);
      expect(d.headers["x-fanfare-event-type"]).toBe(payload.type);
      expect(d.headers["x-fanfare-timestamp"]).toBe("1700000000");
      const hmac = createHmac("sha256", SECRET).update(`1700000000.${d.body}`).digest("hex");
      expect(d.headers["x-fanfare-signature"]).toBe(`t=1700000000,v1=${hmac}`);
    }
    expect(results).toHaveLength(6);
    expect(summary).toMatchObject({ planned: 6, sent: 6, ok: 6, failed: 0, statuses: { "200": 6 }, interrupted: false });
  });

  it("counts non-2xx answers as failures and keeps the first", async () => {
    const client = fakeClient((_d, n) => (n === 2 ? { status: 500 } : {}));
    const outcome = await triggerDeliveries(run({ client, count: 2 }));
    expect(outcome.summary).toMatchObject({ sent: 4, ok: 3, failed: 1, statuses: { "200": 3, "500": 1 } });
    expect(outcome.firstFailure).toMatchObject({ event: "queue.consumer.entered", status: 500 });
  });

  it("stops after a refused connection: nothing is listening", async () => {
    const client = fakeClient(() => ({ status: null, error: "connection refused", errorCode: "connection_refused" }));
    const { summary } = await triggerDeliveries(run({ client, count: 50 }));
    expect(client.sent).toHaveLength(1);
    expect(summary).toMatchObject({ planned: 100, sent: 1, failed: 1, errors: { connection_refused: 1 }, interrupted: false });
  });

  it("stops when the signal aborts, and leaves out deliveries cut short", async () => {
    const controller = new AbortController();
    const client = fakeClient((_d, n) => {
      if (n === 3) controller.abort();
      return n === 3 ? { status: null, errorCode: "interrupted", error: "interrupted" } : {};
    });
    const { summary } = await triggerDeliveries(run({ client, count: 10, signal: controller.signal }));
    expect(client.sent).toHaveLength(3);
    expect(summary).toMatchObject({ planned: 20, sent: 2, ok: 2, failed: 0, interrupted: true });
  });

  it("signs with the scheme asked for", async () => {
    const client = fakeClient();
    await triggerDeliveries(run({ client, scheme: "sha256", events: ["x"] }));
    const d = client.sent[0]!;
    expect(d.headers["x-fanfare-signature"]).toBe(`sha256=${createHmac("sha256", SECRET).update(d.body).digest("hex")}`);
  });
});

describe("bodyMaker", () => {
  let made = 0;
  const build = (event: string, now: Date) => ({
    id: `whk_built${++made}`,
    type: event,
    timestamp: now.toISOString(),
    data: { note: 'quotes " and é', n: made },
  });
  let idSeq = 0;
  const newId = () => `whk_fresh${++idSeq}`;

  it("without newId, builds a whole sample per delivery", () => {
    made = 0;
    const make = bodyMaker(build);
    const a = make("e", 1_000);
    const b = make("e", 1_000);
    expect([a.id, b.id]).toEqual(["whk_built1", "whk_built2"]);
    expect(made).toBe(2);
    expect(JSON.parse(b.text)).toEqual({ id: "whk_built2", type: "e", timestamp: "1970-01-01T00:00:01.000Z", data: { note: 'quotes " and é', n: 2 } });
  });

  it("with newId, splices a fresh id into the second's sample: the same bytes JSON.stringify gives", () => {
    made = 0;
    const make = bodyMaker(build, newId);
    const first = make("e", 5_000);
    const second = make("e", 5_400);
    const third = make("e", 5_999);
    expect(made).toBe(1);
    expect(first.id).toBe("whk_built1");
    expect(second.id).not.toBe(third.id);
    const template = JSON.parse(first.text);
    expect(second.text).toBe(JSON.stringify({ ...template, id: second.id }));
    expect(third.text).toBe(JSON.stringify({ ...template, id: third.id }));
    expect(second.type).toBe("e");
  });

  it("re-makes the sample when the second changes, and per event", () => {
    made = 0;
    const make = bodyMaker(build, newId);
    make("a", 1_000);
    make("b", 1_000);
    make("a", 1_500);
    expect(made).toBe(2);
    const later = make("a", 2_000);
    expect(made).toBe(3);
    expect(JSON.parse(later.text).timestamp).toBe(new Date(2_000).toISOString());
  });

  it("builds whole samples when the id is not the body's first field", () => {
    made = 0;
    const make = bodyMaker((event) => ({ type: event, id: `whk_x${++made}` }), newId);
    expect(make("e", 1_000).id).toBe("whk_x1");
    expect(make("e", 1_000).id).toBe("whk_x2");
    expect(made).toBe(2);
  });
});
