import { describe, expect, it } from "vitest";
import { deliveryDetailLines } from "../../../src/listen/view/delivery-detail-lines.js";
import { bodyLines } from "../../../src/listen/view/detail-blocks.js";
import { clockTime, formatDuration } from "../../../src/listen/view/delivery-format.js";
import { deliveryJson, formatForwardedLine, formatForwardedLines, formatReceivedLine } from "../../../src/listen/delivery-lines.js";
import { stripAnsi } from "../../../src/terminal/style.js";
import { rowLayout, rowSegments } from "../../../src/listen/view/delivery-row-line.js";
import { paintSegments } from "../../../src/listen/view/list-columns.js";
import { completed, forwardResult, makeRecord, T0 } from "./fixtures.js";

const ESC = "\u001B";
const plain = { color: false };
const colour = { color: true };

describe("formatReceivedLine", () => {
  it("prints time, arrow, event type and id", () => {
    expect(formatReceivedLine(makeRecord(1), plain)).toBe("12:00:01 --> draw.consumer.won [whk_000001]");
  });

  it("notes retries and replays", () => {
    expect(formatReceivedLine(makeRecord(2, { attempt: 3 }), plain)).toBe(
      "12:00:01 --> draw.consumer.won [whk_000002] (attempt 3)",
    );
    expect(formatReceivedLine(makeRecord(9, { replayOf: 2, attempt: 2 }), plain)).toBe(
      "12:00:01 --> draw.consumer.won [whk_000009] (attempt 2, replay of #2)",
    );
  });

  it("colours only when asked, and says the same thing", () => {
    const coloured = formatReceivedLine(makeRecord(1), colour);
    expect(coloured).toContain(ESC);
    expect(stripAnsi(coloured)).toBe(formatReceivedLine(makeRecord(1), plain));
    expect(formatReceivedLine(makeRecord(1), plain)).not.toContain(ESC);
  });
});

describe("formatForwardedLine", () => {
  it("prints status, method, target URL, id and duration", () => {
    const record = completed(makeRecord(1), { statusCode: 200, durationMs: 4.2 });
    expect(formatForwardedLine(record, plain)).toBe(
      "12:00:01 <-- [200] POST http://localhost:3000/webhooks [whk_000001] 4 ms",
    );
  });

  it("prints [ERR] and the reason when the target never answered", () => {
    const record = completed(makeRecord(2), { statusCode: null, error: "connection refused", durationMs: 1 });
    expect(formatForwardedLine(record, plain)).toBe(
      "12:00:01 <-- [ERR] POST http://localhost:3000/webhooks [whk_000002] connection refused (1 ms)",
    );
  });

  it("flags a bad signature on the line", () => {
    const invalid = completed(makeRecord(3, { signature: "invalid", signatureReason: "timestamp outside tolerance" }), {
      statusCode: 400,
      durationMs: 12,
    });
    expect(formatForwardedLine(invalid, plain)).toBe(
      "12:00:01 <-- [400] POST http://localhost:3000/webhooks [whk_000003] 12 ms ✗ signature invalid: timestamp outside tolerance",
    );
    const missing = completed(makeRecord(4, { signature: "missing" }), { durationMs: 2 });
    expect(formatForwardedLine(missing, plain)).toMatch(/\[whk_000004\] 2 ms ✗ signature missing$/);
  });

  it("colours the status by class, and never leaks escape codes without colour", () => {
    const cases = [
      [completed(makeRecord(1), { statusCode: 201 }), "\u001B[32m[201]"],
      [completed(makeRecord(2), { statusCode: 404 }), "\u001B[33m[404]"],
      [completed(makeRecord(3), { statusCode: 503 }), "\u001B[31m[503]"],
      [completed(makeRecord(4), { statusCode: null, error: "timeout" }), "\u001B[31m[ERR]"],
    ] as const;
    for (const [record, expected] of cases) {
      expect(formatForwardedLine(record, colour)).toContain(expected);
      expect(formatForwardedLine(record, plain)).not.toContain(ESC);
      expect(stripAnsi(formatForwardedLine(record, colour))).toBe(formatForwardedLine(record, plain));
    }
  });

  it("says a forward is still in flight rather than throwing", () => {
    expect(formatForwardedLine(makeRecord(5), plain)).toBe(
      "12:00:01 <-- […] POST (not forwarded yet) [whk_000005] in flight",
    );
  });
});

describe("deliveryJson", () => {
  it("is one flat object per delivery, without the body", () => {
    const record = completed(makeRecord(7, { attempt: 2, replayOf: 3 }), { statusCode: 502, durationMs: 9 });
    const json = deliveryJson(record);
    expect(json).toEqual({
      seq: 7,
      id: "whk_000007",
      eventType: "draw.consumer.won",
      receivedAt: new Date(T0).toISOString(),
      attempt: 2,
      signature: "valid",
      signatureReason: null,
      method: "POST",
      path: "/webhooks",
      bodyBytes: record.request.body.length,
      target: { url: "http://localhost:3000/webhooks", statusCode: 502, error: null, durationMs: 9 },
      replayOf: 3,
    });
    const line = JSON.stringify(json);
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toEqual(json);
  });

  it("has a null target while in flight and keeps the error of an unreachable target", () => {
    expect(deliveryJson(makeRecord(1)).target).toBeNull();
    const down = completed(makeRecord(2), { statusCode: null, error: "connection refused", durationMs: 1 });
    expect(deliveryJson(down).target).toEqual({
      url: "http://localhost:3000/webhooks",
      statusCode: null,
      error: "connection refused",
      durationMs: 1,
    });
  });
});

describe("formatting helpers", () => {
  it("formats local clock time and durations", () => {
    expect(clockTime(new Date(2026, 4, 6, 7, 8, 9).getTime())).toBe("07:08:09");
    expect(formatDuration(0.3)).toBe("<1 ms");
    expect(formatDuration(4.4)).toBe("4 ms");
    expect(formatDuration(1530)).toBe("1.5 s");
  });

  it("pretty-prints JSON bodies, keeps text, and gives only the size of binary", () => {
    expect(bodyLines(Buffer.from('{"a":1,"b":[true]}'))).toEqual(["{", '  "a": 1,', '  "b": [', "    true", "  ]", "}"]);
    expect(bodyLines(Buffer.from("ok\nthanks"))).toEqual(["ok", "thanks"]);
    expect(bodyLines(Buffer.from([0xff, 0xfe, 0x00, 0x01]))).toEqual(["(binary, 4 B)"]);
    expect(bodyLines(Buffer.from([0x00, 0x01, 0x02]))).toEqual(["(binary, 3 B)"]);
    expect(bodyLines(Buffer.alloc(0))).toEqual(["(empty)"]);
    expect(bodyLines("")).toEqual(["(empty)"]);
  });

  it("cuts very long bodies", () => {
    const lines = bodyLines(Buffer.from(JSON.stringify(Array.from({ length: 50 }, (_, i) => i))), 10);
    expect(lines).toHaveLength(11);
    expect(lines[10]).toMatch(/^… 42 more lines/);
  });

  it("builds details: headers, body, response", () => {
    const record = completed(makeRecord(1), { statusCode: 200, responseBody: '{"ok":true}' });
    const text = deliveryDetailLines(record).map((l) => l.text);
    expect(text).toContain("  content-type: application/json");
    expect(text).toContain('    "id": "whk_000001",');
    expect(text.some((l) => l.startsWith("Response  200  4 ms"))).toBe(true);
    expect(text).toContain('    "ok": true');
    const down = deliveryDetailLines(completed(makeRecord(2), { statusCode: null, error: "connection refused" }));
    expect(down.at(-1)).toEqual({ text: "Response  ERR connection refused  4 ms  from http://localhost:3000/webhooks", tone: "error" });
  });
});

describe("several targets", () => {
  const a = forwardResult({ url: "http://localhost:3000/draws", statusCode: 200, durationMs: 3 });
  const b = forwardResult({ url: "http://localhost:4000/all", statusCode: null, error: "connection refused", durationMs: 9 });
  const record = { ...makeRecord(5), target: { ...b, durationMs: 9 }, targets: [a, b] };

  it("shows every target's status in the row, after the worst one", () => {
    const row = paintSegments(rowSegments(record, false, rowLayout(120), 120), false);
    expect(row).toMatch(/ ERR +9 ms 200 ERR$/);
    expect(row.length).toBeLessThanOrEqual(120);
    // A single target's row has no extra column.
    expect(paintSegments(rowSegments(completed(makeRecord(6)), false, rowLayout(120), 120), false)).toMatch(/ 200 +4 ms$/);
  });

  it("gives each target its own response in the details pane, and says when none took the event", () => {
    const text = deliveryDetailLines(record).map((l) => l.text);
    expect(text).toContain("Response 1/2  200  3 ms  from http://localhost:3000/draws");
    expect(text).toContain("Response 2/2  ERR connection refused  9 ms  from http://localhost:4000/all");
    const none = { ...makeRecord(7), target: forwardResult({ url: "(no target)", statusCode: null, error: "not forwarded: no --forward takes x" }), targets: [] };
    expect(deliveryDetailLines(none).at(-1)).toEqual({ text: "Response  not forwarded: no --forward takes x", tone: "error" });
  });

  it("prints one line per target, each the line that target alone would get", () => {
    expect(formatForwardedLines(record, plain)).toEqual([formatForwardedLine(record, plain, a), formatForwardedLine(record, plain, b)]);
    expect(formatForwardedLines(record, plain)[1]).toBe(
      "12:00:01 <-- [ERR] POST http://localhost:4000/all [whk_000005] connection refused (9 ms)",
    );
    // One target (no `targets`), and none taken (`targets` empty): the one line of `target`.
    const single = completed(makeRecord(6));
    expect(formatForwardedLines(single, colour)).toEqual([formatForwardedLine(single, colour)]);
    const none = { ...makeRecord(7), target: forwardResult({ url: "(no target)", statusCode: null, error: "not forwarded" }), targets: [] };
    expect(formatForwardedLines(none, plain)).toEqual([formatForwardedLine(none, plain)]);
  });

  it("escapes a hostile target URL and method every time, kept or not", () => {
    const hostile = forwardResult({ url: "http://x/\u001b]0;pwned\u0007", statusCode: 200 });
    const forged = { ...makeRecord(8), request: { ...makeRecord(8).request, method: "PO\u001b[2JST" }, target: hostile, targets: [hostile, hostile] };
    for (let i = 0; i < 2; i++) {
      for (const line of formatForwardedLines(forged, plain)) {
        expect(line).not.toContain(ESC);
        expect(line).not.toContain("\u0007");
        expect(line).toContain("PO\\x1b[2JST http://x/\\x1b]0;pwned\\x07");
      }
      const received = formatReceivedLine({ ...forged, eventType: "draw\u001b[2J.won" }, colour);
      expect(stripAnsi(received)).not.toContain(ESC);
      expect(stripAnsi(received)).toContain("draw\\x1b[2J.won");
    }
  });

  it("lists every target in the NDJSON object", () => {
    expect(deliveryJson(record)).toMatchObject({
      target: { statusCode: null, error: "connection refused" },
      targets: [
        { url: "http://localhost:3000/draws", statusCode: 200, error: null, durationMs: 3 },
        { url: "http://localhost:4000/all", statusCode: null, error: "connection refused", durationMs: 9 },
      ],
    });
  });
});
