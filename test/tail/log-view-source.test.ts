import { describe, expect, it } from "vitest";
import type { Delivery } from "../../src/api/types.js";
import type { DeliveryRecord } from "../../src/listen/types.js";
import { createLogViewFeed, deliveryRecordOf, redeliveryLine } from "../../src/tail/log-view-source.js";

const base: Delivery = {
  id: "whk_1",
  endpointId: "we_1",
  eventType: "order.created",
  status: "failed",
  attempt: 1,
  createdAt: "2026-11-30T12:00:00.000Z",
  updatedAt: "2026-11-30T12:00:01.000Z",
  nextAttemptAt: null,
  request: { url: "https://example.com/h", headers: {}, body: '{"a":1}' },
  response: { statusCode: 400, headers: {}, body: "no" },
  error: null,
  durationMs: 4,
  attempts: [
    {
      attempt: 1,
      startedAt: "2026-11-30T12:00:01.000Z",
      statusCode: 400,
      error: null,
      durationMs: 4,
      requestHeaders: { "x-fanfare-delivery-id": "whk_1" },
      responseHeaders: { "content-type": "text/plain" },
      responseBody: "no",
    },
  ],
};
const redelivered: Delivery = {
  ...base,
  status: "succeeded",
  attempt: 2,
  updatedAt: "2026-11-30T12:00:05.000Z",
  attempts: [...base.attempts, { ...base.attempts[0]!, attempt: 2, startedAt: "2026-11-30T12:00:05.000Z", statusCode: 200, responseBody: "ok" }],
};

function feedFor(filter: Parameters<typeof createLogViewFeed>[0]["filter"] = { event: () => true }) {
  const seen: DeliveryRecord[] = [];
  const feed = createLogViewFeed({
    info: { mode: "tail", endpoints: ["we_1"], all: false, apiBase: "http://x/api", intervalMs: 2000, status: null, events: null },
    filter,
    redeliver: async () => redelivered,
  });
  feed.source.subscribe((r) => seen.push(r));
  return { feed, seen };
}

describe("the delivery log as a source of the live view", () => {
  it("a delivery is a record: its latest attempt as the target, the rest under platform", () => {
    const record = deliveryRecordOf(base, 7);
    expect(record).toMatchObject({
      seq: 7,
      id: "whk_1",
      attempt: 1,
      receivedAt: Date.parse(base.attempts[0]!.startedAt),
      target: { statusCode: 400, responseBody: "no", durationMs: 4, url: "https://example.com/h" },
      platform: { endpointId: "we_1", status: "failed", nextAttemptAt: null },
    });
    expect(record.request.body.toString()).toBe('{"a":1}');
    expect(deliveryRecordOf({ ...base, attempts: [], attempt: 0, status: "pending" }, 1).target).toBeNull();
  });

  it("keeps one seq per delivery; r redelivers it and says how the attempt went; an older version never replaces a newer", async () => {
    const { feed, seen } = feedFor();
    feed.push("we_1", [base]);
    expect(seen.map((r) => [r.seq, r.attempt])).toEqual([[1, 1]]);
    await expect(feed.source.replay(seen[0]!)).resolves.toBe("redelivered whk_1 attempt 2: 200 succeeded");
    expect(seen.map((r) => [r.seq, r.attempt, r.platform?.status])).toEqual([
      [1, 1, "failed"],
      [1, 2, "succeeded"],
    ]);
    // A poll that started before the redelivery answers after it: not shown.
    feed.push("we_1", [{ ...base, status: "pending", updatedAt: "2026-11-30T12:00:04.000Z" }]);
    expect(seen).toHaveLength(2);
    // The record names its endpoint and delivery itself: one of listen's (no platform facts) cannot be redelivered.
    await expect(feed.source.replay({ ...seen[0]!, platform: undefined })).rejects.toThrow(/not a delivery of the platform's log/);
  });

  it("--status and --events decide which deliveries get a row; a row once shown keeps updating", () => {
    const { feed, seen } = feedFor({ status: "failed", event: (t) => t.startsWith("order.") });
    feed.push("we_1", [{ ...base, id: "whk_draw", eventType: "draw.consumer.won" }, { ...base, id: "whk_ok", status: "succeeded" }, base]);
    expect(seen.map((r) => r.id)).toEqual(["whk_1"]);
    feed.push("we_1", [redelivered]);
    expect(seen.map((r) => r.platform?.status)).toEqual(["failed", "succeeded"]);
  });

  it("passes the poller's notices on to the view", () => {
    const { feed } = feedFor();
    const heard: string[] = [];
    const stop = feed.source.subscribeMessages((t) => heard.push(t));
    feed.notice("endpoint we_2 was deleted; no longer tailed");
    stop();
    feed.notice("not heard");
    expect(heard).toEqual(["endpoint we_2 was deleted; no longer tailed"]);
  });

  it("says a redelivery still under way, and one that got no answer", () => {
    expect(redeliveryLine({ ...base, status: "pending" })).toBe("redelivered whk_1: attempt 2 under way");
    const refused = { ...redelivered, status: "retrying" as const, attempts: [{ ...redelivered.attempts[1]!, statusCode: null, error: "connection refused" }] };
    expect(redeliveryLine(refused)).toBe("redelivered whk_1 attempt 2: connection refused retrying");
  });
});
