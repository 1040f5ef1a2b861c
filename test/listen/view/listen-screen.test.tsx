import chalk from "chalk";
import { render, cleanup } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ColorContext } from "../../../src/listen/view/color-context.js";
import { ListenScreen, type ListenScreenProps } from "../../../src/listen/view/listen-screen.js";
import { listenViewLayout } from "../../../src/listen/view/listen-layout.js";
import { stripAnsi } from "../../../src/terminal/style.js";
import { completed, deliveryId, FakeSource, makeRecord, SESSION } from "./fixtures.js";

const KEY = {
  up: "\u001B[A",
  down: "\u001B[B",
  pageDown: "\u001B[6~",
  home: "\u001B[H",
  end: "\u001B[F",
  enter: "\r",
  escape: "\u001B",
  backspace: "\u007F",
  ctrlC: "\u0003",
};

const ROWS = 20;
const LIST_ROWS = listenViewLayout(ROWS).listRows;

type Mounted = ReturnType<typeof render> & { source: FakeSource; onQuit: ReturnType<typeof vi.fn> };

function mount(props: Partial<ListenScreenProps> = {}, options: { color?: boolean; source?: FakeSource } = {}): Mounted {
  const source = options.source ?? new FakeSource();
  const onQuit = vi.fn();
  const instance = render(
    <ColorContext.Provider value={options.color ?? false}>
      <ListenScreen source={source} rows={ROWS} onQuit={onQuit} flushIntervalMs={5} {...props} />
    </ColorContext.Provider>,
  );
  return Object.assign(instance, { source, onQuit });
}

const frameOf = (view: Mounted): string => stripAnsi(view.lastFrame() ?? "");

async function waitForFrame(view: Mounted, expected: RegExp | string): Promise<string> {
  await vi.waitFor(
    () => {
      const frame = frameOf(view);
      if (typeof expected === "string") expect(frame).toContain(expected);
      else expect(frame).toMatch(expected);
    },
    { timeout: 3000, interval: 5 },
  );
  return frameOf(view);
}

/** Input is handled after Ink subscribes (an effect) and, for a lone Esc, after setImmediate. */
const tick = (ms = 15) => new Promise((resolve) => setTimeout(resolve, ms));

async function press(view: Mounted, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    view.stdin.write(key);
    await tick();
  }
}

/** The delivery rows in a frame: lines with a time in the time column. */
function rowLines(frame: string): string[] {
  return frame.split("\n").filter((line) => /^(> |  )\d\d:\d\d:\d\d  /.test(line));
}

const selectedLine = (frame: string) => rowLines(frame).find((line) => line.startsWith(">"));

async function mountWith(count: number, props: Partial<ListenScreenProps> = {}): Promise<Mounted> {
  const view = mount(props);
  await tick();
  for (let seq = 1; seq <= count; seq++) view.source.emit(completed(makeRecord(seq)));
  await waitForFrame(view, `received ${count} `);
  return view;
}

afterEach(() => {
  cleanup();
});

describe("header", () => {
  it("shows mode, URLs and the secret masked; s reveals and hides it", async () => {
    const view = mount();
    await tick();
    let frame = frameOf(view);
    expect(frame).toContain("fanfare listen  local  forwarding to http://localhost:3000/webhooks");
    expect(frame).toContain("public none (local mode)  receiver http://127.0.0.1:43123/webhooks");
    expect(frame).toContain("secret whsec_••••••••K3JQ (s shows)");
    expect(frame).not.toContain(SESSION.secret);

    await press(view, "s");
    frame = await waitForFrame(view, SESSION.secret);
    expect(frame).toContain(`secret ${SESSION.secret} (s hides)`);
    await press(view, "s");
    expect(frameOf(view)).not.toContain(SESSION.secret);
  });

  it("shows the tunnel URL and endpoint in connected mode", async () => {
    const source = new FakeSource({
      mode: "connected",
      publicUrl: "https://quick-fox.trycloudflare.com",
      endpointId: "we_123",
      events: ["draw.consumer.won", "draw.entry.created"],
    });
    const view = mount({}, { source });
    await tick();
    const frame = frameOf(view);
    expect(frame).toContain("fanfare listen  connected");
    expect(frame).toContain("public https://quick-fox.trycloudflare.com  endpoint we_123  receiver http://127.0.0.1");
    expect(frame).toContain("events draw.consumer.won,draw.entry.created");
  });
});

describe("rows and counters", () => {
  it("shows signature ✓/✗, status, duration, and … while in flight; counts and p50", async () => {
    const view = mount();
    await tick();
    view.source.emit(makeRecord(1, { eventType: "draw.consumer.won" }));
    view.source.emit(makeRecord(2, { eventType: "queue.consumer.admitted", signature: "invalid" }));
    view.source.emit(makeRecord(3, { eventType: "draw.entry.created" }));
    let frame = await waitForFrame(view, "received 3 ");
    expect(rowLines(frame)).toHaveLength(3);
    expect(rowLines(frame)[0]).toMatch(/^ {2}12:00:01 {2}draw\.consumer\.won +whk_000001 +1 {2}✓ {2}… *$/);
    expect(frame).toContain("p50 -");

    view.source.emit(completed(makeRecord(1), { statusCode: 200, durationMs: 4 }));
    view.source.emit(
      completed(makeRecord(2, { eventType: "queue.consumer.admitted", signature: "invalid" }), {
        statusCode: 404,
        durationMs: 8,
      }),
    );
    view.source.emit(
      completed(makeRecord(3, { eventType: "draw.entry.created" }), {
        statusCode: null,
        error: "connection refused",
        durationMs: 1,
      }),
    );
    frame = await waitForFrame(view, "ERR");
    const rows = rowLines(frame);
    expect(rows[0]).toMatch(/whk_000001 +1 {2}✓ {2}200 +4 ms$/);
    expect(rows[1]).toMatch(/queue\.consumer\.admitted +whk_000002 +1 {2}✗ {2}404 +8 ms$/);
    expect(rows[2]).toMatch(/^> .*whk_000003 +1 {2}✓ {2}ERR +1 ms$/);
    expect(frame).toContain("received 3  ok 1  failed 2  bad signature 1  p50 4 ms");
  });

  it("marks replays and shows a hint while nothing has arrived", async () => {
    const view = mount();
    await tick();
    expect(frameOf(view)).toContain("waiting for deliveries");
    view.source.emit(makeRecord(4, { replayOf: 1 }));
    const frame = await waitForFrame(view, "whk_000004");
    expect(rowLines(frame)[0]).toMatch(/whk_000004 +↻ {2}✓/);
  });

  it("colours statuses when colour is on, and prints no escape codes when it is off", async () => {
    const level = chalk.level;
    chalk.level = 1;
    try {
      const coloured = mount({}, { color: true });
      await tick();
      coloured.source.emit(completed(makeRecord(1), { statusCode: 500 }));
      await waitForFrame(coloured, "500");
      expect(coloured.lastFrame()).toContain("\u001B[31m500");
      coloured.unmount();

      const plain = mount({}, { color: false });
      await tick();
      plain.source.emit(completed(makeRecord(1), { statusCode: 500 }));
      await waitForFrame(plain, "500");
      expect(plain.lastFrame()).not.toContain("\u001B");
    } finally {
      chalk.level = level;
    }
  });
});

describe("selection", () => {
  it("marks the newest row with > and moves with ↑/↓, following new rows only at the bottom", async () => {
    const view = await mountWith(5);
    expect(selectedLine(frameOf(view))).toContain("whk_000005");
    await press(view, KEY.up, KEY.up);
    expect(selectedLine(frameOf(view))).toContain("whk_000003");

    view.source.emit(completed(makeRecord(6)));
    let frame = await waitForFrame(view, "whk_000006");
    expect(selectedLine(frame)).toContain("whk_000003");

    await press(view, KEY.down, KEY.down, KEY.down);
    expect(selectedLine(frameOf(view))).toContain("whk_000006");
    view.source.emit(completed(makeRecord(7)));
    frame = await waitForFrame(view, "whk_000007");
    expect(selectedLine(frame)).toContain("whk_000007");
  });

  it("renders only the rows that fit the terminal", async () => {
    const view = await mountWith(40);
    const frame = frameOf(view);
    expect(rowLines(frame)).toHaveLength(LIST_ROWS);
    expect(frame).toContain(`↑ ${40 - LIST_ROWS}`);
    expect(frame.split("\n").length).toBeLessThan(ROWS);
    await press(view, KEY.home);
    expect(rowLines(frameOf(view))[0]).toMatch(/^> .*whk_000001/);
  });
});

describe("narrow terminals", () => {
  it("cuts the event type and the middle of the id, never the status columns", async () => {
    const view = mount({ columns: 60 });
    await tick();
    view.source.emit(
      completed(makeRecord(1, { id: "whk_01JDXYZ0123456789ABCDEFGHJK", eventType: "queue.consumer.admitted.to.the.front" })),
    );
    const frame = await waitForFrame(view, "received 1 ");
    const row = rowLines(frame)[0]!;
    expect(row).toMatch(/^> 12:00:01 {2}queue\.consu… whk_01…FGHJK +1 {2}✓ {2}200 +4 ms$/);
    expect(row.length).toBeLessThanOrEqual(60);
    for (const line of frame.split("\n")) expect(line.length).toBeLessThanOrEqual(60);
  });
});

describe("details", () => {
  it("opens with Enter on the selected delivery: headers, pretty JSON body, response; scrolls; Esc closes", async () => {
    const view = await mountWith(3, { rows: 24 });
    await press(view, KEY.up, KEY.enter);
    let frame = frameOf(view);
    expect(frame).toContain("details  lines 1–");
    expect(frame).toContain("draw.consumer.won  whk_000002  (#2, attempt 1)");
    expect(frame).toContain("Request  POST /webhooks");
    expect(frame).toContain("  content-type: application/json");
    expect(frame).toContain('    "id": "whk_000002",');
    expect(frame).toContain('      "position": 2');
    expect(frame).toContain("esc back");

    await press(view, KEY.down, KEY.down);
    frame = frameOf(view);
    expect(frame).toContain("details  lines 3–");
    await press(view, KEY.pageDown);
    frame = frameOf(view);
    expect(frame).toContain("Response  200  4 ms  from http://localhost:3000/webhooks");
    expect(frame).toContain('    "received": true');

    await press(view, KEY.escape);
    frame = frameOf(view);
    expect(frame).not.toContain("details  lines");
    expect(selectedLine(frame)).toContain("whk_000002");
  });

  it("opens with d as well, and shows a bad signature's reason", async () => {
    const view = mount();
    await tick();
    view.source.emit(completed(makeRecord(1, { signature: "invalid", signatureReason: "timestamp outside tolerance" })));
    await waitForFrame(view, "whk_000001");
    await press(view, "d");
    expect(frameOf(view)).toContain("signature ✗ invalid: timestamp outside tolerance");
    await press(view, "d");
    expect(frameOf(view)).not.toContain("details  lines");
  });
});

describe("filter", () => {
  it("/ starts typing, Enter applies, Esc clears", async () => {
    const view = mount();
    await tick();
    view.source.emit(completed(makeRecord(1, { eventType: "draw.consumer.won" })));
    view.source.emit(completed(makeRecord(2, { eventType: "queue.consumer.admitted" })));
    view.source.emit(completed(makeRecord(3, { eventType: "draw.entry.created" })));
    await waitForFrame(view, "received 3 ");

    await press(view, "/", "q", "u", "x", KEY.backspace);
    let frame = frameOf(view);
    expect(frame).toContain("/ filter: qu");
    expect(view.onQuit).not.toHaveBeenCalled();

    await press(view, "eue", KEY.enter);
    frame = frameOf(view);
    expect(frame).toContain('filter "queue"');
    expect(rowLines(frame)).toHaveLength(1);
    expect(selectedLine(frame)).toContain("queue.consumer.admitted");

    await press(view, KEY.escape);
    frame = frameOf(view);
    expect(frame).not.toContain('filter "');
    expect(rowLines(frame)).toHaveLength(3);
  });

  it("says when nothing matches", async () => {
    const view = await mountWith(2);
    await press(view, "/", "nothing", KEY.enter);
    expect(frameOf(view)).toContain('no deliveries match "nothing"');
  });
});

describe("pause", () => {
  it("p freezes the list with a badge counting new arrivals, p resumes", async () => {
    const view = await mountWith(2);
    await press(view, "p");
    expect(frameOf(view)).toContain("PAUSED +0");
    expect(frameOf(view)).toContain("p resume");

    view.source.emit(completed(makeRecord(3)));
    view.source.emit(completed(makeRecord(4)));
    let frame = await waitForFrame(view, "PAUSED +2");
    expect(frame).toContain("received 4 ");
    expect(rowLines(frame)).toHaveLength(2);

    await press(view, "p");
    frame = frameOf(view);
    expect(frame).not.toContain("PAUSED");
    expect(rowLines(frame)).toHaveLength(4);
  });
});

describe("keys arriving in one chunk", () => {
  // A paste, fast typing or `tmux send-keys "p s"` reaches Ink as one chunk, which useInput hands over whole.
  it("applies each key in turn: ps pauses and shows the secret", async () => {
    const view = await mountWith(3);
    await press(view, "ps");
    const frame = frameOf(view);
    expect(frame).toContain("PAUSED +0");
    expect(frame).toContain(`secret ${SESSION.secret} (s hides)`);
  });

  it("moves once per key and replays what the keys selected", async () => {
    const view = await mountWith(5);
    await press(view, "kkr");
    expect(selectedLine(frameOf(view))).toContain(deliveryId(3));
    expect(view.source.replayed).toEqual([3]);
  });

  it("opens details with d and closes them with Enter from the same chunk", async () => {
    const view = await mountWith(2);
    await press(view, "d\r");
    expect(selectedLine(frameOf(view))).toContain(deliveryId(2));
    await press(view, "kd");
    expect(frameOf(view)).toContain(`${deliveryId(1)}`);
    expect(rowLines(frameOf(view))).toHaveLength(0);
  });

  it("treats the chunk as text while the filter prompt is open, and Enter in it applies the filter", async () => {
    const view = mount();
    await tick();
    view.source.emit(completed(makeRecord(1, { eventType: "draw.consumer.won" })));
    view.source.emit(completed(makeRecord(2, { eventType: "queue.consumer.admitted" })));
    await waitForFrame(view, "received 2 ");

    await press(view, "/");
    await press(view, "queue sp");
    expect(frameOf(view)).toContain("/ filter: queue sp");
    expect(frameOf(view)).not.toContain("PAUSED");
    expect(view.onQuit).not.toHaveBeenCalled();

    await press(view, KEY.escape, "/qu\rp");
    const frame = frameOf(view);
    expect(frame).toContain('filter "qu"');
    expect(rowLines(frame)).toHaveLength(1);
    expect(frame).toContain("PAUSED +0");
  });

  it("stops at q: later keys in the chunk do nothing", async () => {
    const view = await mountWith(2);
    await press(view, "qr");
    expect(view.onQuit).toHaveBeenCalledTimes(1);
    expect(view.source.replayed).toEqual([]);
  });
});

describe("browsing during a flood", () => {
  it("holds the rows being read instead of dropping them, and End returns to the newest", async () => {
    const view = await mountWith(20, { capacity: 20 });
    await press(view, KEY.up);
    for (let seq = 21; seq <= 120; seq++) view.source.emit(completed(makeRecord(seq)));
    let frame = await waitForFrame(view, "received 120 ");
    expect(frame).toContain("PAUSED +100 (End resumes)");
    expect(selectedLine(frame)).toContain(deliveryId(19));

    await press(view, KEY.end);
    frame = frameOf(view);
    expect(frame).not.toContain("PAUSED");
    expect(selectedLine(frame)).toContain(deliveryId(120));
  });
});

describe("replay", () => {
  it("r replays the selected delivery and says so", async () => {
    const view = await mountWith(3);
    await press(view, KEY.up, "r");
    expect(view.source.replayed).toEqual([2]);
    expect(frameOf(view)).toContain(`replaying ${deliveryId(2)} (#2)`);
  });

  it("r in details replays the delivery shown; a failure is reported", async () => {
    const view = await mountWith(3);
    view.source.replayError = new Error("target unreachable");
    await press(view, KEY.enter, "r");
    expect(view.source.replayed).toEqual([3]);
    await waitForFrame(view, `replay of ${deliveryId(3)} failed: target unreachable`);
  });

  it("does nothing with no deliveries", async () => {
    const view = mount();
    await tick();
    await press(view, "r");
    expect(view.source.replayed).toEqual([]);
  });
});

describe("quit", () => {
  it("q calls onQuit", async () => {
    const view = mount();
    await tick();
    await press(view, "q");
    expect(view.onQuit).toHaveBeenCalledTimes(1);
  });

  it("Ctrl-C calls onQuit too", async () => {
    const view = mount();
    await tick();
    await press(view, KEY.ctrlC);
    expect(view.onQuit).toHaveBeenCalledTimes(1);
  });

  it("unsubscribes from the session when unmounted", async () => {
    const view = mount();
    await tick();
    expect(view.source.listenerCount).toBe(1);
    view.unmount();
    expect(view.source.listenerCount).toBe(0);
  });

  it("takes no keys when not interactive", async () => {
    const view = mount({ interactive: false });
    await tick();
    await press(view, "q");
    expect(view.onQuit).not.toHaveBeenCalled();
  });
});

describe("bursts", () => {
  it("batches arrivals into a few frames, not one per delivery", async () => {
    const view = mount({ flushIntervalMs: 50 });
    await tick();
    const before = view.frames.length;
    for (let seq = 1; seq <= 500; seq++) {
      view.source.emit(makeRecord(seq));
      view.source.emit(completed(makeRecord(seq)));
    }
    await waitForFrame(view, "received 500  ok 500 ");
    expect(view.frames.length - before).toBeLessThanOrEqual(2);
  });

  it("stays responsive after 10,000 deliveries, shows only visible rows, keeps at most the cap", async () => {
    const view = mount({ capacity: 1000 });
    await tick();
    for (let seq = 1; seq <= 10_000; seq++) {
      view.source.emit(makeRecord(seq));
      view.source.emit(completed(makeRecord(seq), { durationMs: 3 }));
    }
    let frame = await waitForFrame(view, "received 10000  ok 10000  failed 0");
    expect(rowLines(frame)).toHaveLength(LIST_ROWS);
    expect(selectedLine(frame)).toContain(deliveryId(10_000));
    // Everything older than the last 1000 is gone from the list (the counters still saw it).
    expect(frame).toContain(`↑ ${1000 - LIST_ROWS}`);

    await press(view, KEY.home);
    frame = frameOf(view);
    expect(rowLines(frame)[0]).toMatch(new RegExp(`^> .*${deliveryId(9001)}`));
    await press(view, KEY.end, KEY.up);
    expect(selectedLine(frameOf(view))).toContain(deliveryId(9999));
  });
});
