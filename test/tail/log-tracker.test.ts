import { describe, expect, it } from "vitest";
import type { Delivery, DeliveryAttempt, DeliveryStatus } from "../../src/api/types.js";
import { logLine } from "../../src/tail/log-lines.js";
import { CURSOR_OVERLAP_MS, DeliveryLogTracker } from "../../src/tail/log-tracker.js";

const T0 = Date.parse("2026-11-30T12:00:00.000Z");
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function attempt(n: number, statusCode: number | null, atMs: number): DeliveryAttempt {
  return {
    attempt: n,
    startedAt: iso(atMs),
    statusCode,
    error: statusCode === null ? "connection refused" : null,
    durationMs: 3,
    requestHeaders: {},
    responseHeaders: statusCode === null ? null : {},
    responseBody: statusCode === null ? null : "",
  };
}

function delivery(id: string, status: DeliveryStatus, attempts: DeliveryAttempt[], updatedMs: number, nextMs?: number): Delivery {
  return {
    id,
    endpointId: "we_1",
    eventType: "order.created",
    status,
    attempt: attempts.length,
    createdAt: iso(0),
    updatedAt: iso(updatedMs),
    nextAttemptAt: nextMs === undefined ? null : iso(nextMs),
    request: { url: "https://example.com/h", headers: {}, body: "{}" },
    response: null,
    error: null,
    durationMs: null,
    attempts,
  };
}

const summary = (events: ReturnType<DeliveryLogTracker["observe"]>["events"]) =>
  events.map((e) => `${e.delivery.id}#${e.attempt?.attempt ?? 0}:${e.status}`);

describe("DeliveryLogTracker", () => {
  it("takes what was there before the start as seen, and reports what changed after it", () => {
    const tracker = new DeliveryLogTracker(T0 + 1000);
    expect(tracker.since("we_1")).toBeUndefined();
    const old = delivery("whk_old", "succeeded", [attempt(1, 200, 0)], 0);
    const fresh = delivery("whk_new", "succeeded", [attempt(1, 200, 1500)], 1500);
    expect(summary(tracker.observe("we_1", [fresh, old]).events)).toEqual(["whk_new#1:succeeded"]);
    expect(tracker.since("we_1")).toBe(iso(1500 - CURSOR_OVERLAP_MS));
  });

  it("reports each new attempt once, even when a page brings it again (the cursor overlaps)", () => {
    const tracker = new DeliveryLogTracker(T0);
    tracker.observe("we_1", []);
    const first = delivery("whk_1", "retrying", [attempt(1, 500, 10)], 10, 110);
    expect(summary(tracker.observe("we_1", [first]).events)).toEqual(["whk_1#1:retrying"]);
    expect(tracker.observe("we_1", [first])).toEqual({ events: [], changed: [] });
    const second = delivery("whk_1", "succeeded", [attempt(1, 500, 10), attempt(2, 200, 110)], 110);
    const changes = tracker.observe("we_1", [second]);
    expect(summary(changes.events)).toEqual(["whk_1#2:succeeded"]);
    expect(changes.changed).toEqual([second]);
  });

  it("reports a new delivery before its first attempt, then the attempt; catches up several attempts in order", () => {
    const tracker = new DeliveryLogTracker(T0);
    tracker.observe("we_1", []);
    expect(summary(tracker.observe("we_1", [delivery("whk_1", "pending", [], 5)]).events)).toEqual(["whk_1#0:pending"]);
    const three = delivery("whk_1", "permanently_failed", [attempt(1, 503, 10), attempt(2, 400, 20), attempt(3, null, 30)], 30);
    expect(summary(tracker.observe("we_1", [three]).events)).toEqual([
      "whk_1#1:retrying",
      "whk_1#2:failed",
      "whk_1#3:permanently_failed",
    ]);
  });

  it("a redelivery set back to pending changes the row but is no new attempt; its attempt is", () => {
    const tracker = new DeliveryLogTracker(T0);
    tracker.observe("we_1", []);
    const done = delivery("whk_1", "failed", [attempt(1, 400, 10)], 10);
    tracker.observe("we_1", [done]);
    const pending = { ...done, status: "pending" as const, updatedAt: iso(50) };
    expect(tracker.observe("we_1", [pending])).toEqual({ events: [], changed: [pending] });
    const again = delivery("whk_1", "succeeded", [attempt(1, 400, 10), attempt(2, 200, 60)], 60);
    expect(summary(tracker.observe("we_1", [again]).events)).toEqual(["whk_1#2:succeeded"]);
  });

  it("catching up a redelivered delivery, the last attempt of the first run shows permanently_failed, not retrying", () => {
    const tracker = new DeliveryLogTracker(T0);
    tracker.observe("we_1", []);
    const run = [1, 2, 3, 4, 5, 6].map((n) => attempt(n, 503, n * 10));
    const redelivered = delivery("whk_1", "succeeded", [...run, attempt(7, 200, 100)], 100);
    expect(summary(tracker.observe("we_1", [redelivered]).events)).toEqual([
      ...[1, 2, 3, 4, 5].map((n) => `whk_1#${n}:retrying`),
      "whk_1#6:permanently_failed",
      "whk_1#7:succeeded",
    ]);
  });

  it("keeps endpoints apart", () => {
    const tracker = new DeliveryLogTracker(T0);
    const d = delivery("whk_same", "succeeded", [attempt(1, 200, 10)], 10);
    expect(tracker.observe("we_1", [d]).events).toHaveLength(1);
    expect(tracker.observe("we_2", [{ ...d, endpointId: "we_2" }]).events).toHaveLength(1);
    expect(tracker.since("we_2")).toBeDefined();
    expect(tracker.since("we_3")).toBeUndefined();
  });
});

describe("logLine", () => {
  it("is the NDJSON shape: endpoint, delivery, event, attempt, status, answer, next retry on the latest only", () => {
    const d = delivery("whk_1", "retrying", [attempt(1, 500, 10), attempt(2, null, 20)], 20, 120);
    expect(logLine({ endpointId: "we_1", delivery: d, attempt: d.attempts[0]!, status: "retrying" })).toEqual({
      time: iso(10),
      endpoint: "we_1",
      delivery: "whk_1",
      event: "order.created",
      attempt: 1,
      status: "retrying",
      statusCode: 500,
      error: null,
      durationMs: 3,
      nextAttemptAt: null,
    });
    expect(logLine({ endpointId: "we_1", delivery: d, attempt: d.attempts[1]!, status: "retrying" })).toMatchObject({
      attempt: 2,
      statusCode: null,
      error: "connection refused",
      nextAttemptAt: iso(120),
    });
    const pending = delivery("whk_2", "pending", [], 5);
    expect(logLine({ endpointId: "we_1", delivery: pending, attempt: null, status: "pending" })).toMatchObject({
      attempt: 0,
      status: "pending",
      statusCode: null,
      time: pending.createdAt,
    });
  });
});
