import { describe, expect, it } from "vitest";
import {
  SummaryCollector,
  deliveryJson,
  deliveryLine,
  formatDuration,
  progressLine,
  statusText,
  summaryLine,
  type DeliveryResult,
} from "../../src/delivery/report.js";

function result(overrides: Partial<DeliveryResult> = {}): DeliveryResult {
  return {
    event: "draw.consumer.won",
    id: "whk_01TEST",
    url: "http://127.0.0.1:3000/webhooks",
    status: 200,
    ok: true,
    durationMs: 4.2,
    error: null,
    errorCode: null,
    responseBody: "",
    ...overrides,
  };
}

const refused = result({ status: null, ok: false, error: "connection refused", errorCode: "connection_refused" });

describe("SummaryCollector", () => {
  it("counts ok, failed, statuses and network errors, and keeps the first failure", () => {
    const c = new SummaryCollector("http://x/webhooks");
    c.add(result({ durationMs: 1 }));
    c.add(result({ id: "a", status: 500, ok: false, durationMs: 3 }));
    c.add(result({ ...refused, id: "b", durationMs: 2 }));
    c.add(result({ durationMs: 10 }));
    const s = c.summary(20.04, { planned: 4 });
    expect(s).toEqual({
      url: "http://x/webhooks",
      planned: 4,
      sent: 4,
      ok: 2,
      failed: 2,
      errors: { connection_refused: 1 },
      statuses: { "200": 2, "500": 1 },
      elapsedMs: 20,
      p50Ms: 2,
      p99Ms: 10,
      maxMs: 10,
      interrupted: false,
    });
    expect(c.firstFailure?.id).toBe("a");
  });

  it("summarises an empty run without NaN", () => {
    const s = new SummaryCollector("u").summary(0, { planned: 3, interrupted: true });
    expect(s).toMatchObject({ sent: 0, ok: 0, failed: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, interrupted: true });
  });
});

describe("lines", () => {
  it("prints what went out and what came back, Stripe-style", () => {
    expect(deliveryLine(result())).toBe("--> draw.consumer.won [whk_01TEST]  <-- [200] 4 ms");
    expect(deliveryLine(refused)).toBe("--> draw.consumer.won [whk_01TEST]  <-- [ERR] connection refused");
  });

  it("colours only the status: green 2xx, yellow 4xx, red 5xx and errors", () => {
    const colors = { green: (t: string) => `G(${t})`, yellow: (t: string) => `Y(${t})`, red: (t: string) => `R(${t})` };
    expect(statusText({ status: 204 }, colors)).toBe("G(204)");
    expect(statusText({ status: 404 }, colors)).toBe("Y(404)");
    expect(statusText({ status: 503 }, colors)).toBe("R(503)");
    expect(statusText({ status: null }, colors)).toBe("R(ERR)");
    expect(deliveryLine(result(), colors)).toBe("--> draw.consumer.won [whk_01TEST]  <-- [G(200)] 4 ms");
  });

  it("writes one JSON object per delivery with the documented keys", () => {
    expect(JSON.parse(deliveryJson(result({ durationMs: 4.26 })))).toEqual({
      event: "draw.consumer.won",
      id: "whk_01TEST",
      status: 200,
      ok: true,
      durationMs: 4.3,
      url: "http://127.0.0.1:3000/webhooks",
      error: null,
    });
  });

  it("summarises a full run, a short one and an interrupted one", () => {
    const c = new SummaryCollector("u");
    for (let i = 0; i < 52; i++) c.add(result());
    expect(summaryLine(c.summary(310, { planned: 52 }))).toBe("52 sent, 52 ok, 0 failed in 310 ms");
    expect(summaryLine(c.summary(1500, { planned: 100, interrupted: true }))).toBe(
      "52 of 100 sent, 52 ok, 0 failed in 1.5 s (interrupted)",
    );
  });

  it("formats durations and progress", () => {
    expect(formatDuration(0.4)).toBe("<1 ms");
    expect(formatDuration(12.6)).toBe("13 ms");
    expect(formatDuration(2345)).toBe("2.3 s");
    expect(progressLine(1200, 20000, 3)).toBe(" 1200/20000 sent, 3 failed");
  });
});
