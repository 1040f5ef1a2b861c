import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Delivery, DeliveryStatus } from "../../src/api/types.js";
import { ColorContext } from "../../src/listen/view/color-context.js";
import { logRowLayout, logRowSegments } from "../../src/listen/view/delivery-log-row-line.js";
import { columnTitles, paintSegments } from "../../src/listen/view/list-columns.js";
import { ListenScreen } from "../../src/listen/view/listen-screen.js";
import { createLogViewFeed, deliveryRecordOf } from "../../src/tail/log-view-source.js";
import { stripAnsi } from "../../src/terminal/style.js";

/**
 * `deliveries tail`'s screen fed straight by the log source (no poller): its column headings sit over
 * their cells at every width (the heading and the rows come from one layout, so a column dropped or
 * shrunk for a narrow terminal goes from both), and what an empty list says.
 */

const WAIT = { timeout: 10_000, interval: 5 };
const ENDPOINT = "we_01M8PFQ4N79E6JRWV946H4S2JM";
const T = Date.parse("2026-11-30T12:00:00.000Z");

function delivery(n: number, status: DeliveryStatus, statusCode: number): Delivery {
  const at = (s: number) => new Date(T + s * 1000).toISOString();
  return {
    id: `whk_01M8PFQPWYWQPPENWE3BWJS0${String(n).padStart(2, "0")}`,
    endpointId: ENDPOINT,
    eventType: "queue.consumer.admitted",
    status,
    attempt: 2,
    createdAt: at(n),
    updatedAt: at(n + 1),
    nextAttemptAt: status === "retrying" ? at(n + 60) : null,
    request: { url: "http://localhost:4000/webhooks", headers: {}, body: "{}" },
    response: { statusCode, headers: {}, body: "" },
    error: null,
    durationMs: 4,
    attempts: [1, 2].map((attempt) => ({
      attempt,
      startedAt: at(n + attempt - 1),
      statusCode,
      error: null,
      durationMs: 4,
      requestHeaders: {},
      responseHeaders: {},
      responseBody: "",
    })),
  };
}

function mount(deliveries: Delivery[], columns: number) {
  const feed = createLogViewFeed({
    info: { mode: "tail", endpoints: [ENDPOINT], all: false, apiBase: "http://127.0.0.1:8787/api", intervalMs: 2000, status: null, events: null },
    filter: { event: () => true },
    redeliver: () => Promise.reject(new Error("not in this test")),
  });
  const screen = (width: number) => (
    <ColorContext.Provider value={false}>
      <ListenScreen source={feed.source} rows={24} columns={width} flushIntervalMs={5} />
    </ColorContext.Provider>
  );
  const view = render(screen(columns));
  const frame = () => stripAnsi(view.lastFrame() ?? "");
  return {
    view,
    frame,
    push: () => feed.push(ENDPOINT, deliveries),
    resize: (width: number) => view.rerender(screen(width)),
    press: async (...keys: string[]) => {
      await vi.waitFor(() => expect(view.stdin.listenerCount("readable")).toBeGreaterThan(0), WAIT);
      for (const key of keys) {
        view.stdin.write(key);
        await new Promise((r) => setImmediate(r));
      }
    },
    waitForFrame: (check: (frame: string) => void) =>
      vi.waitFor(() => {
        const f = frame();
        check(f);
        return f;
      }, WAIT),
  };
}

const HEADINGS = ["TIME", "ENDPOINT", "EVENT", "DELIVERY", "TRY", "STS", "STATUS", "NEXT"] as const;

/** What the cell under each heading starts with, for delivery(n), retrying after a 500. */
function cellStarts(n: number): Record<(typeof HEADINGS)[number], RegExp> {
  return {
    TIME: /^\d\d:\d\d:\d\d/,
    ENDPOINT: /^we_01/,
    EVENT: /^queue\.consumer/,
    DELIVERY: new RegExp(`^whk_01.*${String(n).padStart(2, "0")} `),
    // Numbers end under the end of their heading, as in listen's rows.
    TRY: /^ {2}2 /,
    STS: /^500 /,
    STATUS: /^retrying /,
    NEXT: /^\d\d:\d\d:\d\d/,
  };
}

/**
 * The heading line and the row of delivery(n), and for each heading shown, the text from its
 * column on in the row: a heading's cell must start exactly where the heading does.
 */
function expectAligned(frame: string, n: number, width: number): string[] {
  const lines = frame.split("\n");
  const heading = lines.find((line) => /^ {2}TIME /.test(line))!;
  // Only delivery(n) answered 500 (the others 200).
  const row = lines.find((line) => /^[ >] \d\d:\d\d:\d\d /.test(line) && line.includes(" 500 "))!;
  expect(heading, frame).toBeDefined();
  expect(row, frame).toBeDefined();
  expect(heading.length).toBeLessThanOrEqual(width);
  expect(row.length).toBeLessThanOrEqual(width);
  const starts = cellStarts(n);
  const shown: string[] = [];
  for (const title of HEADINGS) {
    const at = heading.search(new RegExp(`(?<=^| )${title}(?= |$)`));
    if (at < 0) continue;
    shown.push(title);
    expect(row.slice(at), `${title} at ${at} (${width} columns)\n${heading}\n${row}`).toMatch(starts[title]);
  }
  // A column dropped from the heading is dropped from the row too.
  if (!shown.includes("DELIVERY")) expect(row).not.toContain("whk_");
  if (!shown.includes("ENDPOINT")) expect(row).not.toContain("we_01");
  return shown;
}

afterEach(() => cleanup());

describe("deliveries tail's columns", () => {
  it("line up under their headings at 80 columns, the event and id readable", async () => {
    const { push, waitForFrame } = mount([delivery(1, "succeeded", 200), delivery(2, "retrying", 500)], 80);
    push();
    const frame = await waitForFrame((f) => expect(f).toMatch(/500 +retrying/));
    const shown = expectAligned(frame, 2, 80);
    expect(shown).toEqual(["TIME", "EVENT", "DELIVERY", "TRY", "STS", "STATUS", "NEXT"]);
    expect(frame).toContain("queue.consumer.adm");
    expect(frame).not.toContain("……");
  });

  it("line up at 60 columns: the id column goes from the heading and the rows together", async () => {
    const { push, waitForFrame } = mount([delivery(1, "succeeded", 200), delivery(2, "retrying", 500)], 60);
    push();
    const frame = await waitForFrame((f) => expect(f).toMatch(/500 +retrying/));
    const shown = expectAligned(frame, 2, 60);
    expect(shown).toEqual(["TIME", "EVENT", "TRY", "STS", "STATUS", "NEXT"]);
    expect(frame).toContain("queue.consumer");
  });

  it("line up again after the terminal narrows from 120 to 80 columns", async () => {
    const { push, waitForFrame, resize } = mount([delivery(1, "succeeded", 200), delivery(2, "retrying", 500)], 120);
    push();
    let frame = await waitForFrame((f) => expect(f).toMatch(/500 +retrying/));
    expect(expectAligned(frame, 2, 120)).toEqual([...HEADINGS]);
    resize(80);
    frame = await waitForFrame((f) => expect(f).not.toContain("ENDPOINT"));
    expectAligned(frame, 2, 80);
  });

  it("heading and rows agree at every width from 30 to 160 columns", () => {
    const record = deliveryRecordOf(delivery(7, "retrying", 500), 1);
    // Past the narrowest layout a cell may be cut short: its first character is where the heading's is.
    const first = { TIME: /\d/, ENDPOINT: /w/, EVENT: /q/, DELIVERY: /w/, TRY: /2/, STS: /5/, STATUS: /r/, NEXT: /\d/ };
    for (let width = 30; width <= 160; width++) {
      const layout = logRowLayout(width);
      const heading = columnTitles(layout.columns).slice(0, width);
      const row = paintSegments(logRowSegments(record, true, layout, width), false);
      expect(row.length, `${width} columns`).toBeLessThanOrEqual(width);
      for (const title of HEADINGS) {
        const at = heading.search(new RegExp(`(?<=^| )${title}(?= |$)`));
        if (at < 0) continue;
        const where = `${title} at ${width} columns\n${heading}\n${row}`;
        expect(row[at - 1], where).toBe(" ");
        expect(row[title === "TRY" ? at + 2 : at], where).toMatch(first[title]);
      }
    }
  });
});

describe("deliveries tail's f (failed only)", () => {
  it("says none of the deliveries received failed, not that nothing was received, and how to show all", async () => {
    const deliveries = [1, 2, 3].map((n) => delivery(n, "succeeded", 200));
    const { push, press, waitForFrame } = mount(deliveries, 120);
    push();
    await waitForFrame((f) => expect(f).toContain("deliveries 3  succeeded 3"));
    await press("f");
    const frame = await waitForFrame((f) => expect(f).toContain("no failed deliveries among the 3 received (f shows all again)"));
    expect(frame).not.toContain("waiting for deliveries");
    expect(frame).toMatch(/p50 .* {2}failed only/);
    await press("f");
    await waitForFrame((f) => expect(f.match(/ 200 +succeeded/g)).toHaveLength(3));
  });

  it("keeps q quit in the key line on an 80-column terminal", async () => {
    const { waitForFrame } = mount([], 80);
    const frame = await waitForFrame((f) => expect(f).toContain("↑/↓ select"));
    expect(frame.split("\n").find((line) => line.startsWith("↑/↓ select"))).toBe(
      "↑/↓ select  enter/d details  r redeliver  f failed only  / filter  q quit",
    );
  });
});
