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

// Generous: it only runs out when a test fails, and a loaded machine can take seconds per frame.
const WAIT = { timeout: 10_000, interval: 5 };

/**
 * Waits for the frame a key or a delivery leads to (React renders after the key, not with it) and
 * returns it. Given a function, every expectation in it must hold on one frame: a check that could
 * also pass on the frame before must come with a positive sign of the new state.
 */
async function waitForFrame(view: Mounted, expected: RegExp | string | ((frame: string) => void)): Promise<string> {
  return vi.waitFor(() => {
    const frame = frameOf(view);
    if (typeof expected === "function") expected(frame);
    else if (typeof expected === "string") expect(frame).toContain(expected);
    else expect(frame).toMatch(expected);
    return frame;
  }, WAIT);
}

/** The status bar's key line, which tells the list, the details and the filter prompt apart. */
const LIST_KEYS = "↑/↓ select  enter/d details";

/** Mounted, drawn, and (when interactive) reading keys: Ink subscribes to stdin in an effect. */
async function mountReady(props: Partial<ListenScreenProps> = {}, options: { color?: boolean; source?: FakeSource } = {}) {
  const view = mount(props, options);
  await waitForFrame(view, "fanfare listen");
  if (props.interactive !== false) await vi.waitFor(() => expect(view.stdin.listenerCount("readable")).toBeGreaterThan(0), WAIT);
  return view;
}

/**
 * Writes each key as its own chunk, as typed by hand. Ink handles a key synchronously on write,
 * except a lone Esc, which it holds until setImmediate (it may start a sequence); yielding to a
 * later setImmediate lets that Esc through before the next key. Nothing here waits for a frame.
 */
async function press(view: Mounted, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    view.stdin.write(key);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The delivery rows in a frame: lines with a time in the time column. */
function rowLines(frame: string): string[] {
  return frame.split("\n").filter((line) => /^(> |  )\d\d:\d\d:\d\d  /.test(line));
}

const selectedLine = (frame: string) => rowLines(frame).find((line) => line.startsWith(">"));

async function mountWith(count: number, props: Partial<ListenScreenProps> = {}): Promise<Mounted> {
  const view = await mountReady(props);
  for (let seq = 1; seq <= count; seq++) view.source.emit(completed(makeRecord(seq)));
  await waitForFrame(view, `received ${count} `);
  return view;
}

afterEach(() => {
  cleanup();
});

describe("header", () => {
  it("shows mode, URLs and the secret masked; s reveals and hides it", async () => {
    const view = await mountReady();
    let frame = await waitForFrame(view, "secret whsec_••••••••K3JQ (s shows)");
    expect(frame).toContain("fanfare listen  local  forwarding to http://localhost:3000/webhooks");
    expect(frame).toContain("public none (local mode)  receiver http://127.0.0.1:43123/webhooks");
    expect(frame).toContain("secret whsec_••••••••K3JQ (s shows)");
    expect(frame).not.toContain(SESSION.secret);

    await press(view, "s");
    frame = await waitForFrame(view, SESSION.secret);
    expect(frame).toContain(`secret ${SESSION.secret} (s hides)`);
    await press(view, "s");
    frame = await waitForFrame(view, "(s shows)");
    expect(frame).not.toContain(SESSION.secret);
  });

  it("shows the tunnel URL and endpoint in connected mode", async () => {
    const source = new FakeSource({
      mode: "connected",
      publicUrl: "https://quick-fox.trycloudflare.com",
      endpointId: "we_123",
      events: ["draw.consumer.won", "draw.entry.created"],
    });
    const view = await mountReady({}, { source });
    const frame = await waitForFrame(view, "fanfare listen  connected");
    expect(frame).toContain("public https://quick-fox.trycloudflare.com  endpoint we_123  receiver http://127.0.0.1");
    expect(frame).toContain("events draw.consumer.won,draw.entry.created");
  });
});

describe("rows and counters", () => {
  it("shows signature ✓/✗, status, duration, and … while in flight; counts and p50", async () => {
    const view = await mountReady();
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
    const view = await mountReady();
    await waitForFrame(view, "waiting for deliveries… try: fanfare webhooks trigger draw.consumer.won");
    // Connected: the banner's own next step (banner.ts nextStep), not a second suggestion.
    const connected = await mountReady({}, { source: new FakeSource({ mode: "connected", endpointId: "we_123" }) });
    await waitForFrame(connected, "waiting for deliveries… try: fanfare webhooks trigger draw.consumer.won --endpoint we_123");
    view.source.emit(makeRecord(4, { replayOf: 1 }));
    const frame = await waitForFrame(view, "whk_000004");
    expect(rowLines(frame)[0]).toMatch(/whk_000004 +↻ {2}✓/);
  });

  it("colours statuses when colour is on, and prints no escape codes when it is off", async () => {
    const level = chalk.level;
    chalk.level = 1;
    try {
      const coloured = await mountReady({}, { color: true });
      coloured.source.emit(completed(makeRecord(1), { statusCode: 500 }));
      await waitForFrame(coloured, "500");
      expect(coloured.lastFrame()).toContain("\u001B[31m500");
      coloured.unmount();

      const plain = await mountReady({}, { color: false });
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
    await waitForFrame(view, (frame) => expect(selectedLine(frame)).toContain("whk_000003"));

    view.source.emit(completed(makeRecord(6)));
    let frame = await waitForFrame(view, "whk_000006");
    expect(selectedLine(frame)).toContain("whk_000003");

    await press(view, KEY.down, KEY.down, KEY.down);
    await waitForFrame(view, (frame) => expect(selectedLine(frame)).toContain("whk_000006"));
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
    await waitForFrame(view, (frame) => expect(rowLines(frame)[0]).toMatch(/^> .*whk_000001/));
  });
});

describe("narrow terminals", () => {
  it("cuts the event type and the middle of the id, never the status columns", async () => {
    const view = await mountReady({ columns: 60 });
    view.source.emit(
      completed(makeRecord(1, { id: "whk_01JDXYZ0123456789ABCDEFGHJK", eventType: "queue.consumer.admitted.to.the.front" })),
    );
    const frame = await waitForFrame(view, "received 1 ");
    const row = rowLines(frame)[0]!;
    expect(row).toMatch(/^> 12:00:01 {2}queue\.consume… whk_01…FGHJK +1 {2}✓ {2}200 +4 ms$/);
    expect(row.length).toBeLessThanOrEqual(60);
    for (const line of frame.split("\n")) expect(line.length).toBeLessThanOrEqual(60);
  });

  it.each([80, 60, 50, 44])("keeps each heading over its cells at %i columns, dropping columns from both", async (columns) => {
    const view = await mountReady({ columns });
    view.source.emit(completed(makeRecord(1, { id: "whk_01JDXYZ0123456789ABCDEFGHJK", eventType: "queue.consumer.admitted" })));
    const frame = await waitForFrame(view, "received 1 ");
    const heading = frame.split("\n").find((line) => line.startsWith("  TIME "))!;
    const row = rowLines(frame)[0]!;
    // Where each cell starts (right-aligned numbers end where their heading ends; ✓ sits in SIG's middle).
    const cellAt: Record<string, (at: number) => number> = { TRY: (at) => at + 2, SIG: (at) => at + 1, DURATION: (at) => at + 4 };
    const first: Record<string, RegExp> = { TIME: /1/, EVENT: /q/, DELIVERY: /w/, TRY: /1/, SIG: /✓/, STS: /2/, DURATION: /4/ };
    const shown = [];
    for (const title of Object.keys(first)) {
      const at = heading.search(new RegExp(`(?<=^| )${title}(?= |$)`));
      if (at < 0) continue;
      shown.push(title);
      const where = `${title} at ${columns} columns\n${heading}\n${row}`;
      expect(row[at - 1], where).toBe(" ");
      expect(row[(cellAt[title] ?? ((n: number) => n))(at)], where).toMatch(first[title]!);
    }
    if (!shown.includes("DELIVERY")) expect(row).not.toContain("whk_");
    // Below 58 columns the id goes, below 45 the duration too.
    const dropped = columns >= 58 ? [] : columns >= 45 ? ["DELIVERY"] : ["DELIVERY", "DURATION"];
    expect(shown).toEqual(Object.keys(first).filter((t) => !dropped.includes(t)));
    for (const line of [heading, row]) expect(line.length).toBeLessThanOrEqual(columns);
  });
});

describe("details", () => {
  it("opens with Enter on the selected delivery: headers, pretty JSON body, response; scrolls; Esc closes", async () => {
    const view = await mountWith(3, { rows: 24 });
    await press(view, KEY.up, KEY.enter);
    let frame = await waitForFrame(view, "details  lines 1–");
    expect(frame).toContain("draw.consumer.won  whk_000002  (#2, attempt 1)");
    expect(frame).toContain("Request  POST /webhooks");
    expect(frame).toContain("  content-type: application/json");
    expect(frame).toContain('    "id": "whk_000002",');
    expect(frame).toContain('      "position": 2');
    expect(frame).toContain("esc back");

    await press(view, KEY.down, KEY.down);
    await waitForFrame(view, "details  lines 3–");
    await press(view, KEY.pageDown);
    // Both at once: the frame before PgDn may already show the Response line without its body.
    await waitForFrame(view, (frame) => {
      expect(frame).toContain("Response  200  4 ms  from http://localhost:3000/webhooks");
      expect(frame).toContain('    "received": true');
    });

    await press(view, KEY.escape);
    frame = await waitForFrame(view, (frame) => expect(selectedLine(frame)).toContain("whk_000002"));
    expect(frame).not.toContain("details  lines");
  });

  it("opens with d as well, and shows a bad signature's reason", async () => {
    const view = await mountReady();
    view.source.emit(completed(makeRecord(1, { signature: "invalid", signatureReason: "timestamp outside tolerance" })));
    await waitForFrame(view, "whk_000001");
    await press(view, "d");
    await waitForFrame(view, "signature ✗ invalid: timestamp outside tolerance");
    await press(view, "d");
    const frame = await waitForFrame(view, LIST_KEYS);
    expect(frame).not.toContain("details  lines");
  });
});

describe("filter", () => {
  it("/ starts typing, Enter applies, Esc clears", async () => {
    const view = await mountReady();
    view.source.emit(completed(makeRecord(1, { eventType: "draw.consumer.won" })));
    view.source.emit(completed(makeRecord(2, { eventType: "queue.consumer.admitted" })));
    view.source.emit(completed(makeRecord(3, { eventType: "draw.entry.created" })));
    await waitForFrame(view, "received 3 ");

    await press(view, "/", "q", "u", "x", KEY.backspace);
    // The cursor ends the draft, so this is the frame after Backspace, not the one showing "qux".
    let frame = await waitForFrame(view, "/ filter: qu█");
    expect(frame).toContain("/ filter: qu");
    expect(view.onQuit).not.toHaveBeenCalled();

    await press(view, "eue", KEY.enter);
    await waitForFrame(view, (frame) => {
      expect(frame).toContain('filter "queue"');
      expect(rowLines(frame)).toHaveLength(1);
      expect(selectedLine(frame)).toContain("queue.consumer.admitted");
    });

    await press(view, KEY.escape);
    frame = await waitForFrame(view, (frame) => expect(rowLines(frame)).toHaveLength(3));
    expect(frame).not.toContain('filter "');
  });

  it("says when nothing matches", async () => {
    const view = await mountWith(2);
    await press(view, "/", "nothing", KEY.enter);
    await waitForFrame(view, 'no deliveries match "nothing"');
  });
});

describe("failed only (f)", () => {
  it("f lists the failed deliveries only, and again all", async () => {
    const view = await mountReady();
    view.source.emit(completed(makeRecord(1)));
    view.source.emit(completed(makeRecord(2), { statusCode: 500 }));
    await waitForFrame(view, "received 2 ");
    await press(view, "f");
    const frame = await waitForFrame(view, /p50 .* {2}failed only/);
    expect(rowLines(frame)).toHaveLength(1);
    expect(rowLines(frame)[0]).toContain(" 500 ");
    await press(view, "f");
    await waitForFrame(view, (frame) => expect(rowLines(frame)).toHaveLength(2));
  });

  it("says none of those received failed, not that nothing was received, and how to show all", async () => {
    const view = await mountWith(3);
    await press(view, "f");
    const frame = await waitForFrame(view, "no failed deliveries among the 3 received (f shows all again)");
    expect(frame).not.toContain("waiting for deliveries");
    expect(rowLines(frame)).toHaveLength(0);
    await press(view, "f");
    await waitForFrame(view, (frame) => expect(rowLines(frame)).toHaveLength(3));
  });

  it("counts only the deliveries still held when older ones were let go", async () => {
    const view = await mountWith(3, { capacity: 2 });
    await press(view, "f");
    await waitForFrame(view, "no failed deliveries among the last 2 received (f shows all again)");
  });

  it("with a filter too, says both and how to clear each", async () => {
    const view = await mountWith(2);
    await press(view, "/", "draw", KEY.enter, "f");
    await waitForFrame(view, 'no failed deliveries match "draw" among the 2 received (Esc clears the filter, f shows all)');
  });

  it("is in the key line, which keeps q quit on an 80-column terminal", async () => {
    const view = await mountReady({ columns: 80 });
    const keys = (await waitForFrame(view, LIST_KEYS)).split("\n").find((line) => line.startsWith(LIST_KEYS))!;
    expect(keys).toBe("↑/↓ select  enter/d details  r replay  f failed only  / filter  p pause  q quit");
    view.unmount();
    const wide = await mountReady({ columns: 120 });
    await waitForFrame(wide, "r replay  f failed only  / filter  p pause  s secret  q quit");
  });
});

describe("pause", () => {
  it("p freezes the list with a badge counting new arrivals, p resumes", async () => {
    const view = await mountWith(2);
    await press(view, "p");
    await waitForFrame(view, (frame) => {
      expect(frame).toContain("PAUSED +0");
      expect(frame).toContain("p resume");
    });

    view.source.emit(completed(makeRecord(3)));
    view.source.emit(completed(makeRecord(4)));
    let frame = await waitForFrame(view, "PAUSED +2");
    expect(frame).toContain("received 4 ");
    expect(rowLines(frame)).toHaveLength(2);

    await press(view, "p");
    frame = await waitForFrame(view, (frame) => expect(rowLines(frame)).toHaveLength(4));
    expect(frame).not.toContain("PAUSED");
  });
});

describe("keys arriving in one chunk", () => {
  // A paste, fast typing or `tmux send-keys "p s"` reaches Ink as one chunk, which useInput hands over whole.
  it("applies each key in turn: ps pauses and shows the secret", async () => {
    const view = await mountWith(3);
    await press(view, "ps");
    await waitForFrame(view, (frame) => {
      expect(frame).toContain("PAUSED +0");
      expect(frame).toContain(`secret ${SESSION.secret} (s hides)`);
    });
  });

  it("moves once per key and replays what the keys selected", async () => {
    const view = await mountWith(5);
    await press(view, "kkr");
    await waitForFrame(view, (frame) => expect(selectedLine(frame)).toContain(deliveryId(3)));
    await vi.waitFor(() => expect(view.source.replayed).toEqual([3]), WAIT);
  });

  it("opens details with d and closes them with Enter from the same chunk", async () => {
    const view = await mountWith(2);
    await press(view, "d\r");
    await waitForFrame(view, (frame) => expect(selectedLine(frame)).toContain(deliveryId(2)));
    await press(view, "kd");
    // No rows is what tells the details frame from the list, which shows deliveryId(1) too.
    await waitForFrame(view, (frame) => {
      expect(frame).toContain(`${deliveryId(1)}`);
      expect(rowLines(frame)).toHaveLength(0);
    });
  });

  it("treats the chunk as text while the filter prompt is open, and Enter in it applies the filter", async () => {
    const view = await mountReady();
    view.source.emit(completed(makeRecord(1, { eventType: "draw.consumer.won" })));
    view.source.emit(completed(makeRecord(2, { eventType: "queue.consumer.admitted" })));
    await waitForFrame(view, "received 2 ");

    await press(view, "/");
    await press(view, "queue sp");
    const frame = await waitForFrame(view, "/ filter: queue sp");
    expect(frame).not.toContain("PAUSED");
    expect(view.onQuit).not.toHaveBeenCalled();

    await press(view, KEY.escape, "/qu\rp");
    await waitForFrame(view, (frame) => {
      expect(frame).toContain('filter "qu"');
      expect(rowLines(frame)).toHaveLength(1);
      expect(frame).toContain("PAUSED +0");
    });
  });

  it("stops at q: later keys in the chunk do nothing", async () => {
    const view = await mountWith(2);
    await press(view, "qr");
    await vi.waitFor(() => expect(view.onQuit).toHaveBeenCalledTimes(1), WAIT);
    // No wait needed: the chunk is handled in one go, so the r after q has had its turn by now.
    expect(view.source.replayed).toEqual([]);
  });
});

describe("browsing during a flood", () => {
  it("holds the rows being read instead of dropping them, and End returns to the newest", async () => {
    const view = await mountWith(20, { capacity: 20 });
    await press(view, KEY.up);
    await waitForFrame(view, (frame) => expect(selectedLine(frame)).toContain(deliveryId(19)));
    for (let seq = 21; seq <= 120; seq++) view.source.emit(completed(makeRecord(seq)));
    let frame = await waitForFrame(view, "received 120 ");
    expect(frame).toContain("PAUSED +100 (End resumes)");
    expect(selectedLine(frame)).toContain(deliveryId(19));

    await press(view, KEY.end);
    frame = await waitForFrame(view, (frame) => expect(selectedLine(frame)).toContain(deliveryId(120)));
    expect(frame).not.toContain("PAUSED");
  });
});

describe("replay", () => {
  it("r replays the selected delivery and says so", async () => {
    const view = await mountWith(3);
    await press(view, KEY.up, "r");
    await vi.waitFor(() => expect(view.source.replayed).toEqual([2]), WAIT);
    await waitForFrame(view, `replaying ${deliveryId(2)} (#2)`);
  });

  it("r in details replays the delivery shown; a failure is reported", async () => {
    const view = await mountWith(3);
    view.source.replayError = new Error("target unreachable");
    await press(view, KEY.enter, "r");
    await vi.waitFor(() => expect(view.source.replayed).toEqual([3]), WAIT);
    await waitForFrame(view, `replay of ${deliveryId(3)} failed: target unreachable`);
  });

  it("does nothing with no deliveries", async () => {
    const view = await mountReady();
    // s after r: once the secret shows, the r before it has been handled, so nothing more can come.
    await press(view, "r", "s");
    await waitForFrame(view, "(s hides)");
    expect(view.source.replayed).toEqual([]);
  });
});

describe("quit", () => {
  it("q calls onQuit", async () => {
    const view = await mountReady();
    await press(view, "q");
    await vi.waitFor(() => expect(view.onQuit).toHaveBeenCalledTimes(1), WAIT);
  });

  it("Ctrl-C calls onQuit too", async () => {
    const view = await mountReady();
    await press(view, KEY.ctrlC);
    await vi.waitFor(() => expect(view.onQuit).toHaveBeenCalledTimes(1), WAIT);
  });

  it("unsubscribes from the session when unmounted", async () => {
    const view = await mountReady();
    await vi.waitFor(() => expect(view.source.listenerCount).toBe(1), WAIT);
    view.unmount();
    await vi.waitFor(() => expect(view.source.listenerCount).toBe(0), WAIT);
  });

  it("takes no keys when not interactive", async () => {
    const view = await mountReady({ interactive: false });
    expect(view.stdin.listenerCount("readable")).toBe(0);
    await press(view, "q");
    // A wait, not a poll: no key is read at all, so there is no later state to wait for.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(view.onQuit).not.toHaveBeenCalled();
  });
});

describe("bursts", () => {
  it("batches arrivals into a few frames, not one per delivery", async () => {
    const view = await mountReady({ flushIntervalMs: 50 });
    const before = view.frames.length;
    for (let seq = 1; seq <= 500; seq++) {
      view.source.emit(makeRecord(seq));
      view.source.emit(completed(makeRecord(seq)));
    }
    await waitForFrame(view, "received 500  ok 500 ");
    expect(view.frames.length - before).toBeLessThanOrEqual(2);
  });

  it("stays responsive after 10,000 deliveries, shows only visible rows, keeps at most the cap", async () => {
    const view = await mountReady({ capacity: 1000 });
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
    await waitForFrame(view, (frame) => expect(rowLines(frame)[0]).toMatch(new RegExp(`^> .*${deliveryId(9001)}`)));
    await press(view, KEY.end, KEY.up);
    await waitForFrame(view, (frame) => expect(selectedLine(frame)).toContain(deliveryId(9999)));
  });
});
