import { describe, expect, it } from "vitest";
import type { DeliveryRecord } from "../../src/emulator/persist.js";
import { addNewest, applyAttempt, endpointHealth, newDeliveryRecord, startRedelivery } from "../../src/emulator/records.js";
import { matchRoute } from "../../src/emulator/router.js";
import type { AttemptResult } from "../../src/emulator/send.js";

const T0 = new Date("2026-11-23T12:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const fresh = (id = "whk_1") =>
  newDeliveryRecord({ id, endpointId: "we_1", eventType: "order.created", url: "http://127.0.0.1:1/h", body: '{"a":1}', now: T0 });
const answer = (statusCode: number | null, error: string | null = null): AttemptResult => ({
  statusCode,
  error,
  durationMs: 3,
  responseHeaders: statusCode === null ? null : {},
  responseBody: statusCode === null ? null : "",
});
function attempt(record: DeliveryRecord, result: AttemptResult, nowMs: number, timeScale = 1): DeliveryRecord {
  return applyAttempt(record, { result, url: "http://127.0.0.1:1/h", requestHeaders: { h: "1" }, startedAt: at(nowMs), now: at(nowMs), timeScale });
}

describe("applyAttempt", () => {
  it("walks the 6-attempt schedule (0, 1 min, 5 min, 30 min, 2 h, 8 h) to permanently_failed", () => {
    let r = fresh();
    let now = 0;
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      r = attempt(r, answer(503), now);
      if (r.delivery.nextAttemptAt) {
        const next = Date.parse(r.delivery.nextAttemptAt) - at(now).getTime();
        waits.push(next);
        now += next;
      }
    }
    expect(waits).toEqual([60e3, 300e3, 1800e3, 7200e3, 28800e3]);
    expect(r.delivery).toMatchObject({ status: "permanently_failed", attempt: 6, nextAttemptAt: null });
    expect(r.delivery.attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("divides the waits by the time scale", () => {
    const r = attempt(fresh(), answer(null, "timeout"), 0, 600);
    expect(Date.parse(r.delivery.nextAttemptAt!) - T0.getTime()).toBe(100);
    expect(r.delivery).toMatchObject({ status: "retrying", error: "timeout", response: { statusCode: null } });
  });

  it("2xx succeeds, 4xx (not 408/429) is final, and the body never changes", () => {
    expect(attempt(fresh(), answer(204), 0).delivery.status).toBe("succeeded");
    expect(attempt(fresh(), answer(404), 0).delivery).toMatchObject({ status: "failed", nextAttemptAt: null });
    expect(attempt(fresh(), answer(429), 0).delivery.status).toBe("retrying");
    expect(attempt(fresh(), answer(408), 0).delivery.request.body).toBe('{"a":1}');
  });

  it("a redelivery restarts the schedule from its first slot, counting attempts on", () => {
    let r = fresh();
    for (let i = 0; i < 6; i++) r = attempt(r, answer(500), i);
    r = startRedelivery(r, at(100));
    expect(r).toMatchObject({ runStart: 6, delivery: { status: "pending" } });
    r = attempt(r, answer(500), 100);
    expect(r.delivery).toMatchObject({ status: "retrying", attempt: 7 });
    expect(Date.parse(r.delivery.nextAttemptAt!) - at(100).getTime()).toBe(60e3);
  });
});

describe("addNewest and endpointHealth", () => {
  it("keeps the newest `kept`, returning the dropped", () => {
    let list: DeliveryRecord[] = [];
    let dropped: DeliveryRecord[] = [];
    for (let i = 0; i < 5; i++) ({ list, dropped } = addNewest(list, fresh(`whk_${i}`), 3));
    expect(list.map((r) => r.delivery.id)).toEqual(["whk_4", "whk_3", "whk_2"]);
    expect(dropped.map((r) => r.delivery.id)).toEqual(["whk_1"]);
  });

  it("healthy when the latest attempt got a 2xx; the rate counts attempted deliveries", () => {
    expect(endpointHealth([])).toEqual({ healthy: true, lastDelivery: null, successRate: null });
    const ok = attempt(fresh("a"), answer(200), 1000);
    const bad = attempt(fresh("b"), answer(500), 2000);
    expect(endpointHealth([bad, ok, fresh("c")])).toEqual({ healthy: false, lastDelivery: at(2000).toISOString(), successRate: 0.5 });
    const later = attempt(fresh("d"), answer(200), 3000);
    expect(endpointHealth([later, bad, ok]).healthy).toBe(true);
  });
});

describe("matchRoute", () => {
  it("matches every route of the contract and decodes ids", () => {
    expect(matchRoute("GET", "/api/webhooks")).toEqual({ kind: "route", name: "listEndpoints", params: {} });
    expect(matchRoute("POST", "/api/webhooks/")).toMatchObject({ name: "createEndpoint" });
    expect(matchRoute("PATCH", "/api/webhooks/we_1")).toEqual({ kind: "route", name: "updateEndpoint", params: { id: "we_1" } });
    expect(matchRoute("POST", "/api/webhooks/we%201/test")).toMatchObject({ name: "sendTest", params: { id: "we 1" } });
    expect(matchRoute("POST", "/api/webhooks/we_1/deliveries/whk_2/redeliver")).toEqual({
      kind: "route",
      name: "redeliver",
      params: { id: "we_1", deliveryId: "whk_2" },
    });
    expect(matchRoute("HEAD", "/api/webhooks/we_1/health")).toMatchObject({ name: "health" });
  });

  it("404 for unknown paths, 405 with the allowed methods", () => {
    expect(matchRoute("GET", "/webhooks")).toEqual({ kind: "not_found" });
    expect(matchRoute("GET", "/api/webhooks/we_1/nothing")).toEqual({ kind: "not_found" });
    expect(matchRoute("GET", "/api/webhooks/%E0%A4%A")).toEqual({ kind: "not_found" });
    expect(matchRoute("POST", "/api/webhooks/we_1")).toEqual({ kind: "method_not_allowed", allow: ["GET", "PATCH", "DELETE", "HEAD"] });
  });
});
