import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import type { Delivery } from "../../src/api/types.js";
import type { DeliveryRecord } from "../../src/listen/types.js";
import { ColorContext } from "../../src/listen/view/color-context.js";
import { DeliveryDetails } from "../../src/listen/view/delivery-details.js";
import { deliveryRecordOf } from "../../src/tail/log-view-source.js";

/**
 * `deliveries tail`'s details pane draws the request and the latest answer as listen's pane does:
 * the same headers, bodies, escaping and wrapping. Both panes are rendered with Ink at the same
 * width from the same request and answer, and their blocks compared line for line.
 */

const COLUMNS = 64;
const TOKEN = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9." + "A".repeat(150) + ".Zm9vYmFyYmF6cXV4";
const SIGNATURE = "t=1795434517,v1=" + "12dde27fb5d433b267242ef4ed55f19ac0e5e7c57111abb7f0867386d68feeeb";
// A header that would retitle the window, ring the bell and start a CSI if printed raw.
const HOSTILE = "\u001b]0;pwned\u0007 \u009b31m \r";

const requestHeaders = { "content-type": "application/json", "x-fanfare-signature": SIGNATURE, "x-evil": HOSTILE };
const responseHeaders = { "content-type": "application/json", "x-app": HOSTILE };
const body = JSON.stringify({ id: "whk_1", type: "queue.consumer.admitted", data: { admissionToken: TOKEN } });
const responseBody = JSON.stringify({ received: true, echo: TOKEN });

const delivery: Delivery = {
  id: "whk_1",
  endpointId: "we_1",
  eventType: "queue.consumer.admitted",
  status: "succeeded",
  attempt: 2,
  createdAt: "2026-11-30T12:00:00.000Z",
  updatedAt: "2026-11-30T12:00:05.000Z",
  nextAttemptAt: null,
  request: { url: "https://example.com/h", headers: requestHeaders, body },
  response: { statusCode: 200, headers: responseHeaders, body: responseBody },
  error: null,
  durationMs: 4,
  attempts: [
    {
      attempt: 1,
      startedAt: "2026-11-30T12:00:01.000Z",
      statusCode: 503,
      error: null,
      durationMs: 3,
      requestHeaders,
      responseHeaders: {},
      responseBody: "",
    },
    {
      attempt: 2,
      startedAt: "2026-11-30T12:00:05.000Z",
      statusCode: 200,
      error: null,
      durationMs: 4,
      requestHeaders,
      responseHeaders,
      responseBody,
    },
  ],
};

/** The same request and answer as a delivery listen received and forwarded. */
function listenRecordOf(record: DeliveryRecord): DeliveryRecord {
  return { ...record, platform: undefined, attempt: 1 };
}

function frameOf(record: DeliveryRecord): string {
  const view = render(
    <ColorContext.Provider value={false}>
      <DeliveryDetails record={record} scroll={0} rows={500} columns={COLUMNS} />
    </ColorContext.Provider>,
  );
  return view.lastFrame() ?? "";
}

/** From the request's heading to the end, trailing blank rows dropped. */
function blocksOf(frame: string): string[] {
  const lines = frame.split("\n").map((line) => line.trimEnd());
  const from = lines.findIndex((line) => line.startsWith("Request  POST "));
  expect(from).toBeGreaterThan(0);
  const rest = lines.slice(from);
  while (rest.at(-1) === "") rest.pop();
  return rest;
}

afterEach(() => cleanup());

describe("deliveries tail's details pane", () => {
  const tail = deliveryRecordOf(delivery, 1);

  it("draws the request and the latest answer as listen's pane does, line for line", () => {
    const tailBlocks = blocksOf(frameOf(tail));
    const listenBlocks = blocksOf(frameOf(listenRecordOf(tail)));
    // Only the answer's heading names the attempt.
    expect(tailBlocks).toContain("Response (attempt 2)  200  4 ms  from https://example.com/h");
    expect(listenBlocks).toContain("Response  200  4 ms  from https://example.com/h");
    expect(tailBlocks.map((line) => line.replace("Response (attempt 2)", "Response"))).toEqual(listenBlocks);
    // And the blocks hold what was sent and answered: headers, bodies, the answer's headers.
    expect(tailBlocks).toContain("  content-type: application/json");
    expect(tailBlocks).toContain("Request body");
    expect(tailBlocks).toContain("Response body");
    expect(tailBlocks).toContain('    "received": true,');
  });

  it("keeps every attempt above the blocks", () => {
    const frame = frameOf(tail);
    expect(frame).toContain("queue.consumer.admitted  whk_1  (endpoint we_1, 2 attempts)");
    expect(frame).toMatch(/ {2}#1 {2}\d\d:\d\d:\d\d {2}503 {2}3 ms/);
    expect(frame).toMatch(/ {2}#2 {2}\d\d:\d\d:\d\d {2}200 {2}4 ms/);
    expect(frame.indexOf("Attempts")).toBeLessThan(frame.indexOf("Request  POST"));
  });

  it("never draws a control character from a header raw: it shows its escape", () => {
    const frame = frameOf(tail);
    // Colour is off, so the frame holds no escape sequence at all unless one came from the delivery.
    expect(frame).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(frame).toContain("  x-evil: \\x1b]0;pwned\\x07 \\x9b31m \\r");
    expect(frame).toContain("  x-app: \\x1b]0;pwned\\x07 \\x9b31m \\r");
  });

  it("wraps long values to the pane's width: the token and the signature can be read whole", () => {
    const frame = frameOf(tail);
    for (const line of frame.split("\n")) expect(Array.from(line).length).toBeLessThanOrEqual(COLUMNS);
    expect(frame).not.toContain("…");
    // Joined back without the wrap's indent, the pane holds the full values.
    const joined = frame.replace(/ *\n +/g, "");
    expect(joined).toContain(`x-fanfare-signature: ${SIGNATURE}`);
    expect(joined).toContain(`"admissionToken": "${TOKEN}"`);
    expect(joined).toContain(`"echo": "${TOKEN}"`);
  });
});
