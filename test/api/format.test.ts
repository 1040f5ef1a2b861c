import { describe, expect, it } from "vitest";
import {
  attemptsTable,
  deliveryDetail,
  deliveryTable,
  endpointDetail,
  endpointTable,
  formatDuration,
  formatTime,
  healthDetail,
  MAX_CELL,
  maskEndpoint,
  renderTable,
  visibleWidth,
} from "../../src/api/format.js";
import type { Delivery, Endpoint } from "../../src/api/types.js";
import { stripAnsi } from "../../src/terminal/style.js";

const endpoint: Endpoint = {
  id: "we_01",
  url: "https://example.com/hooks",
  events: ["draw.consumer.won", "order.created", "order.paid"],
  description: "prod",
  enabled: false,
  secret: "whsec_abcdefghijklmnopWXYZ",
  createdAt: "2026-11-23T07:00:00.123Z",
  updatedAt: "2026-11-23T07:05:00.000Z",
};

const body = '{"id":"whk_1","type":"draw.consumer.won","data":{"position":1}}';
const delivery: Delivery = {
  id: "whk_1",
  endpointId: "we_01",
  eventType: "draw.consumer.won",
  status: "retrying",
  attempt: 2,
  createdAt: "2026-11-23T07:00:00.000Z",
  updatedAt: "2026-11-23T07:01:00.000Z",
  nextAttemptAt: "2026-11-23T07:06:00.000Z",
  request: { url: "https://example.com/hooks", headers: { "x-fanfare-signature": "t=1,v1=abc" }, body },
  response: { statusCode: 500, headers: {}, body: "oops" },
  error: null,
  durationMs: 12,
  attempts: [
    { attempt: 1, startedAt: "2026-11-23T07:00:00.000Z", statusCode: null, error: "ECONNREFUSED", durationMs: 3, requestHeaders: {}, responseHeaders: null, responseBody: null },
    { attempt: 2, startedAt: "2026-11-23T07:01:00.000Z", statusCode: 500, error: null, durationMs: 1234, requestHeaders: {}, responseHeaders: {}, responseBody: "oops" },
  ],
};

describe("renderTable", () => {
  it("aligns columns by visible width, ignoring colour codes", () => {
    const red = (s: string) => `\u001B[31m${s}\u001B[39m`;
    const lines = renderTable(["A", "B", "C"], [["x", red("long value"), "1"], ["yyyy", "z", "2"]]);
    expect(lines.map(stripAnsi)).toEqual(["A     B           C", "x     long value  1", "yyyy  z           2"]);
    expect(visibleWidth(red("abc"))).toBe(3);
  });
});

describe("endpoints", () => {
  it("masks the secret in lists, details and JSON", () => {
    expect(maskEndpoint(endpoint).secret).toBe("whsec_••••••••WXYZ");
    expect(maskEndpoint({ ...endpoint, secret: "whsec_••••••••WXYZ" }).secret).toBe("whsec_••••••••WXYZ");
    const detail = endpointDetail(endpoint).join("\n");
    expect(detail).toContain("whsec_••••••••WXYZ");
    expect(detail).not.toContain("abcdefghijklmnop");
    expect(detail).toMatch(/status\s+paused/);
    expect(endpointDetail(endpoint, undefined, true).join("\n")).toContain(endpoint.secret);
  });

  it("lists one row per endpoint with a short events summary", () => {
    const [header, row] = endpointTable([endpoint]);
    expect(header).toMatch(/^ID\s+STATUS\s+URL\s+EVENTS\s+DESCRIPTION$/);
    expect(row).toContain("draw.consumer.won, order.created +1");
    expect(row).not.toContain("whsec_");
  });
});

describe("deliveries", () => {
  it("a table row per delivery", () => {
    const [, row] = deliveryTable([delivery]);
    expect(row).toMatch(/^whk_1\s+draw\.consumer\.won\s+retrying\s+2\s+500\s+2026-11-23 07:00:00$/);
  });

  it("detail: headers, the body pretty-printed, the response and every attempt", () => {
    const text = deliveryDetail(delivery).join("\n");
    expect(text).toContain("x-fanfare-signature: t=1,v1=abc");
    expect(text).toContain(JSON.stringify(JSON.parse(body), null, 2));
    expect(text).toContain("status 500");
    expect(text).toMatch(/next attempt\s+2026-11-23 07:06:00/);
    const attempts = attemptsTable(delivery.attempts);
    expect(attempts[0]).toMatch(/^ATTEMPT\s+TIME\s+RESULT\s+DURATION$/);
    expect(attempts[1]).toMatch(/^1\s+2026-11-23 07:00:00\s+ECONNREFUSED\s+3 ms$/);
    expect(attempts[2]).toMatch(/^2\s+2026-11-23 07:01:00\s+500\s+1\.23 s$/);
  });

  it("a body that is not JSON is shown as it came", () => {
    const text = deliveryDetail({ ...delivery, request: { ...delivery.request, body: "plain text" } }).join("\n");
    expect(text).toContain("\nplain text\n");
  });
});

describe("small formats", () => {
  it("times, durations and health", () => {
    expect(formatTime("2026-11-23T07:00:00.123Z")).toBe("2026-11-23 07:00:00");
    expect(formatTime(null)).toBe("—");
    expect(formatDuration(4)).toBe("4 ms");
    expect(formatDuration(12_345)).toBe("12.3 s");
    const health = healthDetail("we_1", { healthy: true, lastDelivery: "2026-11-23T07:00:00Z", successRate: 0.5 }).join("\n");
    expect(health).toMatch(/healthy\s+yes/);
    expect(health).toMatch(/success rate\s+50\.0 %/);
    expect(healthDetail("we_1", { healthy: false, lastDelivery: null, successRate: null }).join("\n")).toMatch(/no deliveries/);
  });
});

describe("tables from unbounded data", () => {
  it("cut long cells with …, so a huge value never makes a huge line", () => {
    const huge = "https://example.com/" + "a".repeat(1_000_000);
    const lines = renderTable(["ID", "URL", "DESCRIPTION"], [["we_1", huge, "short"], ["we_2", "https://ok", "x".repeat(200)]]);
    for (const line of lines) expect(line.length).toBeLessThan(3 * MAX_CELL);
    expect(lines[1]).toContain("https://example.com/aaa");
    expect(lines[1]).toMatch(/a… {2}short$/);
    expect(lines[2]).toMatch(/x…$/);
  });

  it("keep short cells, wide characters and our own colours whole", () => {
    const lines = renderTable(["A", "B"], [["🎉".repeat(MAX_CELL), "\u001b[32mok\u001b[39m"]]);
    expect(lines[1]).toContain("🎉".repeat(MAX_CELL));
    expect(lines[1]).toContain("\u001b[32mok\u001b[39m");
  });
});
