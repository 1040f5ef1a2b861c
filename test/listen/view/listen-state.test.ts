import { describe, expect, it } from "vitest";
import type { DeliveryRecord } from "../../../src/listen/types.js";
import {
  arrivedWhilePaused,
  createListenViewState,
  LATENCY_SAMPLE_SIZE,
  listedRecords,
  listWindow,
  p50Latency,
  reduceListenView,
  selectedRecord,
  type ListenViewAction,
  type ListenViewState,
} from "../../../src/listen/view/listen-state.js";
import { completed, makeRecord } from "./fixtures.js";

function run(state: ListenViewState, ...actions: ListenViewAction[]): ListenViewState {
  return actions.reduce(reduceListenView, state);
}

function deliveries(...records: DeliveryRecord[]): ListenViewAction {
  return { type: "deliveries", records };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const arrived = (from: number, to: number) => deliveries(...range(from, to).map((seq) => makeRecord(seq)));
const up = (viewportRows = 5): ListenViewAction => ({ type: "move", delta: -1, viewportRows });
const down = (viewportRows = 5): ListenViewAction => ({ type: "move", delta: 1, viewportRows });

describe("deliveries", () => {
  it("counts arrivals once and outcomes when the forward completes, replacing the record by seq", () => {
    const first = makeRecord(1);
    let state = run(createListenViewState(), deliveries(first, makeRecord(2)));
    expect(state.counters).toEqual({ received: 2, forwardedOk: 0, failed: 0, badSignature: 0 });
    expect(state.records.map((r) => r.target)).toEqual([null, null]);

    state = run(state, deliveries(completed(first, { statusCode: 200, durationMs: 7 })));
    expect(state.counters).toEqual({ received: 2, forwardedOk: 1, failed: 0, badSignature: 0 });
    expect(state.records).toHaveLength(2);
    expect(state.records[0]!.target?.statusCode).toBe(200);
    expect(state.records[0]).not.toBe(first);

    // The same completion again (a repeated emit) is not a second outcome.
    state = run(state, deliveries(completed(first, { statusCode: 200 })));
    expect(state.counters.forwardedOk).toBe(1);
  });

  it("counts non-2xx answers and unreachable targets as failed, and bad signatures", () => {
    const state = run(
      createListenViewState(),
      deliveries(
        completed(makeRecord(1), { statusCode: 404 }),
        completed(makeRecord(2), { statusCode: 500 }),
        completed(makeRecord(3, { signature: "invalid", signatureReason: "no match" }), { statusCode: null, error: "connection refused" }),
        makeRecord(4, { signature: "missing" }),
        completed(makeRecord(5), { statusCode: 204 }),
      ),
    );
    expect(state.counters).toEqual({ received: 5, forwardedOk: 1, failed: 3, badSignature: 2 });
  });

  it("keeps a record that arrives already completed (arrival and completion in one batch)", () => {
    const state = run(createListenViewState(), deliveries(completed(makeRecord(1))));
    expect(state.counters).toMatchObject({ received: 1, forwardedOk: 1 });
    expect(state.records[0]!.target).not.toBeNull();
  });

  it("keeps records ordered by seq even when one arrives out of order", () => {
    const state = run(createListenViewState(), deliveries(makeRecord(1), makeRecord(3)), deliveries(makeRecord(2)));
    expect(state.records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(state.counters.received).toBe(3);
  });

  it("keeps at most `capacity` records, the newest, and still counts everything", () => {
    let state = createListenViewState({ capacity: 10 });
    for (let i = 0; i < 50; i++) state = run(state, arrived(i * 7 + 1, i * 7 + 7));
    expect(state.records).toHaveLength(10);
    expect(state.records.map((r) => r.seq)).toEqual(range(341, 350));
    expect(state.counters.received).toBe(350);
  });

  it("counts the outcome of a record that was dropped before its forward completed", () => {
    let state = run(createListenViewState({ capacity: 2 }), arrived(1, 3));
    expect(state.records.map((r) => r.seq)).toEqual([2, 3]);
    state = run(state, deliveries(completed(makeRecord(1), { statusCode: 502 })));
    expect(state.counters).toMatchObject({ received: 3, failed: 1 });
    expect(state.records.map((r) => r.seq)).toEqual([2, 3]);
  });

  it("drops old records past the byte budget, but never the newest", () => {
    const big = (seq: number) => makeRecord(seq, { request: { ...makeRecord(seq).request, body: Buffer.alloc(400) } });
    let state = run(createListenViewState({ capacity: 100, byteBudget: 1000 }), deliveries(big(1), big(2), big(3)));
    expect(state.records.map((r) => r.seq)).toEqual([2, 3]);
    expect(state.storedBytes).toBe(800);
    const huge = makeRecord(4, { request: { ...makeRecord(4).request, body: Buffer.alloc(5000) } });
    state = run(state, deliveries(huge));
    expect(state.records.map((r) => r.seq)).toEqual([4]);
  });

  it("stays bounded under a burst of 10,000 in one batch", () => {
    const burst = range(1, 10_000).map((seq) => completed(makeRecord(seq), { durationMs: seq % 100 }));
    const state = run(createListenViewState({ capacity: 1000 }), deliveries(...burst));
    expect(state.records).toHaveLength(1000);
    expect(state.records[0]!.seq).toBe(9001);
    expect(state.counters).toMatchObject({ received: 10_000, forwardedOk: 10_000 });
    expect(state.latency.values.length).toBe(LATENCY_SAMPLE_SIZE);
  });
});

describe("p50 latency", () => {
  it("is null before any target answered, then the median of answered forwards", () => {
    let state = createListenViewState();
    expect(p50Latency(state)).toBeNull();
    state = run(
      state,
      deliveries(
        completed(makeRecord(1), { durationMs: 30 }),
        completed(makeRecord(2), { durationMs: 10 }),
        completed(makeRecord(3), { durationMs: 20 }),
        // No answer: a timeout's 30 s would say nothing about the app's speed.
        completed(makeRecord(4), { statusCode: null, error: "timeout", durationMs: 30_000 }),
      ),
    );
    expect(p50Latency(state)).toBe(20);
  });

  it("follows recent forwards: the sample is a bounded ring", () => {
    const slow = range(1, LATENCY_SAMPLE_SIZE).map((seq) => completed(makeRecord(seq), { durationMs: 500 }));
    const fast = range(LATENCY_SAMPLE_SIZE + 1, LATENCY_SAMPLE_SIZE * 2).map((seq) =>
      completed(makeRecord(seq), { durationMs: 3 }),
    );
    let state = run(createListenViewState(), deliveries(...slow));
    expect(p50Latency(state)).toBe(500);
    state = run(state, deliveries(...fast));
    expect(state.latency.values).toHaveLength(LATENCY_SAMPLE_SIZE);
    expect(p50Latency(state)).toBe(3);
  });
});

describe("selection", () => {
  it("follows the newest row until the user moves up, and again once back at the bottom", () => {
    let state = run(createListenViewState(), arrived(1, 3));
    expect(selectedRecord(state)?.seq).toBe(3);
    state = run(state, arrived(4, 4));
    expect(selectedRecord(state)?.seq).toBe(4);

    state = run(state, up());
    expect(state.follow).toBe(false);
    expect(selectedRecord(state)?.seq).toBe(3);
    state = run(state, arrived(5, 6));
    expect(selectedRecord(state)?.seq).toBe(3);

    state = run(state, down(), down());
    expect(selectedRecord(state)?.seq).toBe(5);
    expect(state.follow).toBe(false);
    state = run(state, down());
    expect(state.follow).toBe(true);
    state = run(state, arrived(7, 7));
    expect(selectedRecord(state)?.seq).toBe(7);
  });

  it("stops at the ends and jumps with moveTo", () => {
    let state = run(createListenViewState(), arrived(1, 5), up(), up(), up(), up(), up(), up());
    expect(selectedRecord(state)?.seq).toBe(1);
    state = run(state, { type: "moveTo", where: "last", viewportRows: 5 });
    expect(state.follow).toBe(true);
    state = run(state, { type: "moveTo", where: "first", viewportRows: 5 });
    expect(selectedRecord(state)?.seq).toBe(1);
    expect(run(createListenViewState(), up()).follow).toBe(true);
  });

  it("windows only the rows that fit, keeping the selection visible and the list still while browsing", () => {
    let state = run(createListenViewState(), arrived(1, 20));
    let view = listWindow(state, 5);
    expect(view.rows.map((r) => r.seq)).toEqual([16, 17, 18, 19, 20]);
    expect(view).toMatchObject({ selectedSeq: 20, above: 15, below: 0 });

    state = run(state, up());
    expect(listWindow(state, 5).rows.map((r) => r.seq)).toEqual([16, 17, 18, 19, 20]);
    // New arrivals land below; the rows being read stay put.
    state = run(state, arrived(21, 22));
    view = listWindow(state, 5);
    expect(view.rows.map((r) => r.seq)).toEqual([16, 17, 18, 19, 20]);
    expect(view).toMatchObject({ selectedSeq: 19, below: 2 });

    state = run(state, up(), up(), up(), up());
    view = listWindow(state, 5);
    expect(view.selectedSeq).toBe(15);
    expect(view.rows.map((r) => r.seq)).toEqual([15, 16, 17, 18, 19]);

    state = run(state, { type: "move", delta: -5, viewportRows: 5 });
    expect(listWindow(state, 5).rows.map((r) => r.seq)).toEqual([10, 11, 12, 13, 14]);
  });

  it("when the selected record was dropped meanwhile (resuming a pause), selects the oldest kept", () => {
    let state = run(createListenViewState({ capacity: 5 }), arrived(1, 5), { type: "togglePause" });
    state = run(state, up(), up(), up(), up(), arrived(6, 8));
    expect(selectedRecord(state)?.seq).toBe(1);
    state = run(state, { type: "togglePause" });
    expect(state.records.map((r) => r.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(selectedRecord(state)?.seq).toBe(4);
  });
});

describe("filter", () => {
  const mixed = deliveries(
    makeRecord(1, { eventType: "draw.consumer.won" }),
    makeRecord(2, { eventType: "queue.consumer.admitted" }),
    makeRecord(3, { eventType: "draw.entry.created" }),
  );

  it("is typed, applied with Enter (case-insensitive substring) and cleared", () => {
    let state = run(createListenViewState(), mixed, { type: "startFilter" });
    expect(state.filterDraft).toBe("");
    state = run(state, { type: "filterInput", text: "DRAW" }, { type: "filterInput", text: "x" }, { type: "filterBackspace" });
    expect(state.filterDraft).toBe("DRAW");
    expect(listedRecords(state)).toHaveLength(3);
    state = run(state, { type: "applyFilter" });
    expect(state.filter).toBe("DRAW");
    expect(state.filterDraft).toBeNull();
    expect(listedRecords(state).map((r) => r.seq)).toEqual([1, 3]);
    expect(selectedRecord(state)?.seq).toBe(3);

    state = run(state, { type: "clearFilter" });
    expect(state.filter).toBe("");
    expect(listedRecords(state)).toHaveLength(3);
  });

  it("drops control characters from pasted input and moves within the filtered rows", () => {
    let state = run(createListenViewState(), mixed, { type: "startFilter" }, { type: "filterInput", text: "\u001Bdraw\r\n" });
    expect(state.filterDraft).toBe("draw");
    state = run(state, { type: "applyFilter" }, up());
    expect(selectedRecord(state)?.seq).toBe(1);
  });
});

describe("pause", () => {
  it("freezes the list, counts what arrives, still updates frozen rows, and resumes", () => {
    let state = run(createListenViewState(), arrived(1, 3), { type: "togglePause" });
    state = run(state, arrived(4, 6), deliveries(completed(makeRecord(2), { statusCode: 500 })));
    expect(listedRecords(state).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(listedRecords(state)[1]!.target?.statusCode).toBe(500);
    expect(arrivedWhilePaused(state)).toBe(3);
    expect(selectedRecord(state)?.seq).toBe(3);
    expect(state.counters.received).toBe(6);

    state = run(state, { type: "togglePause" });
    expect(state.paused).toBeNull();
    expect(listedRecords(state).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(selectedRecord(state)?.seq).toBe(6);
  });

  it("keeps the frozen list whole however many arrive", () => {
    const state = run(createListenViewState({ capacity: 3 }), arrived(1, 3), { type: "togglePause" }, arrived(4, 100));
    expect(listedRecords(state).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(state.records.map((r) => r.seq)).toEqual([98, 99, 100]);
  });

  it("holds the list by itself when browsing rows that would be dropped; End resumes", () => {
    let state = run(createListenViewState({ capacity: 5 }), arrived(1, 5), up(3));
    state = run(state, arrived(6, 6));
    // Row 1 went, but it was not on screen (3, 4 and 5 are).
    expect(state.paused).toBeNull();
    state = run(state, arrived(7, 20));
    expect(state.paused?.auto).toBe(true);
    expect(listedRecords(state).map((r) => r.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(selectedRecord(state)?.seq).toBe(4);
    expect(arrivedWhilePaused(state)).toBe(14);

    state = run(state, { type: "moveTo", where: "last", viewportRows: 5 });
    expect(state.paused).toBeNull();
    expect(selectedRecord(state)?.seq).toBe(20);
  });
});

describe("details", () => {
  it("opens on the selected record, follows its completion, scrolls within bounds and closes", () => {
    let state = run(createListenViewState(), arrived(1, 3), up(), { type: "openDetail", viewportRows: 10 });
    expect(state.detail?.record.seq).toBe(2);
    state = run(state, deliveries(completed(makeRecord(2), { statusCode: 201 })));
    expect(state.detail?.record.target?.statusCode).toBe(201);

    const scroll = (delta: number): ListenViewAction => ({ type: "scrollDetail", delta, lineCount: 30, viewportRows: 10 });
    state = run(state, scroll(5));
    expect(state.detail?.scroll).toBe(5);
    state = run(state, scroll(100));
    expect(state.detail?.scroll).toBe(20);
    state = run(state, scroll(-Infinity));
    expect(state.detail?.scroll).toBe(0);

    state = run(state, { type: "closeDetail" });
    expect(state.detail).toBeNull();
  });

  it("does not open with no deliveries", () => {
    expect(run(createListenViewState(), { type: "openDetail", viewportRows: 10 }).detail).toBeNull();
  });
});

describe("messages and secret", () => {
  it("expire only when a tick says the time has come", () => {
    let state = run(createListenViewState(), { type: "message", text: "replaying whk_1", now: 1000, ttlMs: 500 });
    expect(run(state, { type: "tick", now: 1499 }).message?.text).toBe("replaying whk_1");
    state = run(state, { type: "tick", now: 1500 });
    expect(state.message).toBeNull();
  });

  it("toggles the secret", () => {
    const state = run(createListenViewState(), { type: "toggleSecret" });
    expect(state.secretShown).toBe(true);
    expect(run(state, { type: "toggleSecret" }).secretShown).toBe(false);
  });
});
