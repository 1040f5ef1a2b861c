import type { DeliveryRecord } from "../types.js";
import { isBadSignature, isSuccess } from "./delivery-format.js";

/**
 * Everything the live view of `fanfare webhooks listen` shows, as a pure reducer: no I/O, no clocks
 * (`now` comes in with the actions that need it), no knowledge of the terminal except the number of
 * rows the caller says it can show. The view batches deliveries and applies them here in one action
 * per frame, so the work per frame is O(capacity + batch), however fast deliveries arrive.
 *
 * Memory is bounded: at most `capacity` records (and `byteBudget` bytes of bodies) are kept, plus one
 * frozen copy of the list while paused; counters and the latency sample are fixed-size.
 */

const DEFAULT_CAPACITY = 1000;
/** Bodies can be large; the count cap alone would let 1000 × 1 MB bodies through. */
const DEFAULT_BYTE_BUDGET = 32 * 1024 * 1024;
/** p50 is taken over the most recent answers, which is what a developer watching cares about. */
export const LATENCY_SAMPLE_SIZE = 1024;
const MESSAGE_TTL_MS = 4000;

export interface DeliveryCounters {
  received: number;
  /** The target answered 2xx. */
  forwardedOk: number;
  /** The target answered anything else, or never answered. */
  failed: number;
  /** Signature invalid or missing. */
  badSignature: number;
}

/** A ring of the latest target durations (only forwards the target answered). */
interface LatencySample {
  readonly values: readonly number[];
  /** Where the next value goes once the ring is full. */
  readonly next: number;
}

export interface PausedList {
  /** The list as it was when paused; records in it still update when their forward completes. */
  readonly records: readonly DeliveryRecord[];
  readonly receivedAtPause: number;
  /**
   * Paused by the view, not by `p`: the user was browsing older rows and so many arrived that the
   * rows on screen were about to be dropped. Going back to the newest row resumes it.
   */
  readonly auto: boolean;
}

interface DetailState {
  readonly record: DeliveryRecord;
  /** First line shown. */
  readonly scroll: number;
}

type MessageTone = "info" | "error";

export interface StatusMessage {
  readonly text: string;
  readonly tone: MessageTone;
  readonly expiresAt: number;
}

export interface ListenViewState {
  readonly capacity: number;
  readonly byteBudget: number;
  /** Ascending by seq; at most `capacity`. */
  readonly records: readonly DeliveryRecord[];
  readonly storedBytes: number;
  readonly highestSeq: number;
  /** Every seq at or below this was dropped from `records` at some point. */
  readonly evictedThroughSeq: number;
  readonly counters: DeliveryCounters;
  readonly latency: LatencySample;
  /** The selection sits on the newest row and moves with it. */
  readonly follow: boolean;
  /** The selected record when not following. */
  readonly selectedSeq: number | null;
  /** The top row of the list window when not following, so the list holds still while read. */
  readonly topSeq: number | null;
  /** Applied event-type filter (case-insensitive substring); "" shows all. */
  readonly filter: string;
  /** The filter being typed after `/`; null when not typing. */
  readonly filterDraft: string | null;
  /** `f`: only deliveries whose latest answer was not a 2xx (or that never got one). */
  readonly failedOnly: boolean;
  readonly paused: PausedList | null;
  readonly detail: DetailState | null;
  readonly secretShown: boolean;
  readonly message: StatusMessage | null;
}

export type ListenViewAction =
  /** Arrivals and forward completions, in the order they happened (a seq may appear twice). */
  | { type: "deliveries"; records: readonly DeliveryRecord[] }
  | { type: "move"; delta: number; viewportRows: number }
  | { type: "moveTo"; where: "first" | "last"; viewportRows: number }
  | { type: "openDetail"; viewportRows: number }
  | { type: "closeDetail" }
  | { type: "scrollDetail"; delta: number; lineCount: number; viewportRows: number }
  | { type: "startFilter" }
  | { type: "filterInput"; text: string }
  | { type: "filterBackspace" }
  | { type: "applyFilter" }
  | { type: "clearFilter" }
  | { type: "toggleFailedOnly" }
  | { type: "togglePause" }
  | { type: "toggleSecret" }
  | { type: "message"; text: string; tone?: MessageTone; now: number; ttlMs?: number }
  | { type: "tick"; now: number };

export interface ListenStateOptions {
  capacity?: number;
  byteBudget?: number;
}

export function createListenViewState(options: ListenStateOptions = {}): ListenViewState {
  return {
    capacity: Math.max(1, Math.floor(options.capacity ?? DEFAULT_CAPACITY)),
    byteBudget: options.byteBudget ?? DEFAULT_BYTE_BUDGET,
    records: [],
    storedBytes: 0,
    highestSeq: 0,
    evictedThroughSeq: 0,
    counters: { received: 0, forwardedOk: 0, failed: 0, badSignature: 0 },
    latency: { values: [], next: 0 },
    follow: true,
    selectedSeq: null,
    topSeq: null,
    filter: "",
    filterDraft: null,
    failedOnly: false,
    paused: null,
    detail: null,
    secretShown: false,
    message: null,
  };
}

export function reduceListenView(state: ListenViewState, action: ListenViewAction): ListenViewState {
  switch (action.type) {
    case "deliveries":
      return applyDeliveries(state, action.records);
    case "move":
      return moveSelection(state, action.delta, action.viewportRows);
    case "moveTo":
      return action.where === "last"
        ? { ...state, ...followNewest, paused: state.paused?.auto ? null : state.paused }
        : moveSelection(state, -Infinity, action.viewportRows);
    case "openDetail": {
      const record = selectedRecord(state);
      return record ? { ...state, detail: { record, scroll: 0 } } : state;
    }
    case "closeDetail":
      return state.detail ? { ...state, detail: null } : state;
    case "scrollDetail": {
      if (!state.detail) return state;
      const max = Math.max(0, action.lineCount - Math.max(1, action.viewportRows));
      const scroll = clamp(state.detail.scroll + action.delta, 0, max);
      return scroll === state.detail.scroll ? state : { ...state, detail: { ...state.detail, scroll } };
    }
    case "startFilter":
      return { ...state, filterDraft: state.filter };
    case "filterInput": {
      if (state.filterDraft === null) return state;
      // Pasted text may carry newlines or escapes; an event type never does.
      const text = action.text.replace(/[\u0000-\u001F\u007F]/g, "");
      return text ? { ...state, filterDraft: state.filterDraft + text } : state;
    }
    case "filterBackspace":
      return state.filterDraft ? { ...state, filterDraft: state.filterDraft.slice(0, -1) } : state;
    case "applyFilter":
      if (state.filterDraft === null) return state;
      return { ...state, ...followNewest, filter: state.filterDraft.trim(), filterDraft: null };
    case "clearFilter":
      return { ...state, ...followNewest, filter: "", filterDraft: null };
    case "toggleFailedOnly":
      return { ...state, ...followNewest, failedOnly: !state.failedOnly };
    case "togglePause":
      return {
        ...state,
        // Resuming from a pause the view took itself returns to the newest row, where the user was headed.
        ...(state.paused?.auto ? followNewest : {}),
        paused: state.paused ? null : { records: state.records, receivedAtPause: state.counters.received, auto: false },
      };
    case "toggleSecret":
      return { ...state, secretShown: !state.secretShown };
    case "message":
      return {
        ...state,
        message: {
          text: action.text,
          tone: action.tone ?? "info",
          expiresAt: action.now + (action.ttlMs ?? MESSAGE_TTL_MS),
        },
      };
    case "tick":
      return state.message && state.message.expiresAt <= action.now ? { ...state, message: null } : state;
  }
}

const followNewest = { follow: true, selectedSeq: null, topSeq: null } as const;

// ---------------------------------------------------------------------------------------------
// Deliveries

function recordBytes(record: DeliveryRecord): number {
  return record.request.body.length + (record.target?.responseBody.length ?? 0);
}

function applyDeliveries(state: ListenViewState, batch: readonly DeliveryRecord[]): ListenViewState {
  if (batch.length === 0) return state;
  const records = state.records.slice();
  let { storedBytes, highestSeq, evictedThroughSeq } = state;
  const counters = { ...state.counters };
  let latencyValues: number[] | null = null;
  let latencyNext = state.latency.next;
  /** Replaced records, for the paused snapshot and the open detail. */
  const updated = new Map<number, DeliveryRecord>();

  const countOutcome = (record: DeliveryRecord): void => {
    const target = record.target;
    if (target === null) return;
    if (isSuccess(target)) counters.forwardedOk++;
    else counters.failed++;
    if (target.statusCode !== null) {
      latencyValues ??= state.latency.values.slice();
      if (latencyValues.length < LATENCY_SAMPLE_SIZE) latencyValues.push(target.durationMs);
      else {
        latencyValues[latencyNext] = target.durationMs;
        latencyNext = (latencyNext + 1) % LATENCY_SAMPLE_SIZE;
      }
    }
  };

  for (const record of batch) {
    const index = indexOfSeq(records, record.seq);
    if (index >= 0) {
      const previous = records[index]!;
      if (previous.target === null) countOutcome(record);
      storedBytes += recordBytes(record) - recordBytes(previous);
      records[index] = record;
      updated.set(record.seq, record);
      continue;
    }
    if (record.seq <= evictedThroughSeq) {
      // Arrived long ago and already dropped from the list: only its outcome is news.
      if (record.target !== null) countOutcome(record);
      updated.set(record.seq, record);
      continue;
    }
    counters.received++;
    if (isBadSignature(record.signature)) counters.badSignature++;
    countOutcome(record);
    storedBytes += recordBytes(record);
    if (record.seq > highestSeq) {
      records.push(record);
      highestSeq = record.seq;
    } else {
      records.splice(insertionIndex(records, record.seq), 0, record);
    }
  }

  // Drop the oldest past the caps, but always keep the newest record however large it is.
  let drop = 0;
  while (
    records.length - drop > 1 &&
    (records.length - drop > state.capacity || storedBytes > state.byteBudget)
  ) {
    const evicted = records[drop++]!;
    storedBytes -= recordBytes(evicted);
    evictedThroughSeq = Math.max(evictedThroughSeq, evicted.seq);
  }
  const kept = drop > 0 ? records.slice(drop) : records;

  let paused = state.paused;
  // Browsing older rows while more than `capacity` arrive would drop the rows being read from under
  // the cursor: hold the list as it was instead, exactly as `p` would.
  if (!paused && !state.follow && drop > 0) {
    const reading = Math.min(state.topSeq ?? Infinity, state.selectedSeq ?? Infinity);
    if (records[drop - 1]!.seq >= reading) {
      paused = { records: state.records, receivedAtPause: state.counters.received, auto: true };
    }
  }
  if (paused && updated.size > 0) {
    let frozen: DeliveryRecord[] | null = null;
    for (const [seq, record] of updated) {
      const i = indexOfSeq(paused.records, seq);
      if (i < 0) continue;
      frozen ??= paused.records.slice();
      frozen[i] = record;
    }
    if (frozen) paused = { ...paused, records: frozen };
  }
  let detail = state.detail;
  const detailUpdate = detail ? updated.get(detail.record.seq) : undefined;
  if (detail && detailUpdate) detail = { ...detail, record: detailUpdate };

  return {
    ...state,
    records: kept,
    storedBytes,
    highestSeq,
    evictedThroughSeq,
    counters,
    latency: latencyValues ? { values: latencyValues, next: latencyNext } : state.latency,
    paused,
    detail,
  };
}

/**
 * Index of `seq` in an ascending list. Sessions number deliveries 1, 2, 3…, so the list is usually
 * contiguous and the first guess hits; otherwise binary search.
 */
function indexOfSeq(list: readonly DeliveryRecord[], seq: number): number {
  if (list.length === 0) return -1;
  const guess = seq - list[0]!.seq;
  if (guess >= 0 && guess < list.length && list[guess]!.seq === seq) return guess;
  const i = insertionIndex(list, seq);
  return i < list.length && list[i]!.seq === seq ? i : -1;
}

/** First index whose seq is ≥ `seq` (list.length when none). */
function insertionIndex(list: readonly DeliveryRecord[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------
// Selectors

const listedCache = new WeakMap<
  readonly DeliveryRecord[],
  { filter: string; failedOnly: boolean; listed: readonly DeliveryRecord[] }
>();

/**
 * What the filter and `f` narrow (the frozen copy while paused): how many deliveries are held, and
 * whether more were received than are held (the oldest let go past the capacity).
 */
export function heldDeliveries(state: ListenViewState): { held: number; olderLetGo: boolean } {
  const held = (state.paused ? state.paused.records : state.records).length;
  const received = state.paused ? state.paused.receivedAtPause : state.counters.received;
  return { held, olderLetGo: received > held };
}

/** The records the list shows: the frozen copy while paused, narrowed by the filter and `f`. */
export function listedRecords(state: ListenViewState): readonly DeliveryRecord[] {
  const source = state.paused ? state.paused.records : state.records;
  if (!state.filter && !state.failedOnly) return source;
  const cached = listedCache.get(source);
  if (cached && cached.filter === state.filter && cached.failedOnly === state.failedOnly) return cached.listed;
  const needle = state.filter.toLowerCase();
  const listed = source.filter(
    (r) => (!needle || r.eventType.toLowerCase().includes(needle)) && (!state.failedOnly || isFailedRecord(r)),
  );
  listedCache.set(source, { filter: state.filter, failedOnly: state.failedOnly, listed });
  return listed;
}

/**
 * What `f` keeps: a delivery whose latest answer was not a 2xx, or that never got one. One still in
 * flight is not (yet) a failure; one of the platform's log is judged by its status.
 */
function isFailedRecord(record: DeliveryRecord): boolean {
  if (record.platform) {
    const { status } = record.platform;
    return status === "failed" || status === "permanently_failed" || status === "retrying";
  }
  return record.target !== null && !isSuccess(record.target);
}

function selectedIndexIn(state: ListenViewState, list: readonly DeliveryRecord[]): number {
  if (list.length === 0) return -1;
  if (state.follow || state.selectedSeq === null) return list.length - 1;
  return Math.min(insertionIndex(list, state.selectedSeq), list.length - 1);
}

export function selectedRecord(state: ListenViewState): DeliveryRecord | null {
  const list = listedRecords(state);
  const i = selectedIndexIn(state, list);
  return i < 0 ? null : list[i]!;
}

export interface ListWindow {
  /** The rows to draw, oldest first; never more than the viewport. */
  readonly rows: readonly DeliveryRecord[];
  readonly selectedSeq: number | null;
  /** How many listed rows are above and below the window. */
  readonly above: number;
  readonly below: number;
}

function windowTop(state: ListenViewState, list: readonly DeliveryRecord[], selected: number, rows: number): number {
  const start = state.follow || state.topSeq === null ? list.length - rows : insertionIndex(list, state.topSeq);
  return clampTop(start, selected, rows, list.length);
}

function clampTop(top: number, selected: number, rows: number, length: number): number {
  let t = top;
  if (selected < t) t = selected;
  if (selected >= t + rows) t = selected - rows + 1;
  t = Math.min(t, length - rows);
  return Math.max(0, t);
}

/** Only the rows that fit are ever rendered, however many are stored. */
export function listWindow(state: ListenViewState, viewportRows: number): ListWindow {
  const list = listedRecords(state);
  const rows = Math.max(1, Math.floor(viewportRows));
  if (list.length === 0) return { rows: [], selectedSeq: null, above: 0, below: 0 };
  const selected = selectedIndexIn(state, list);
  const top = windowTop(state, list, selected, rows);
  const shown = list.slice(top, top + rows);
  return {
    rows: shown,
    selectedSeq: list[selected]!.seq,
    above: top,
    below: Math.max(0, list.length - top - shown.length),
  };
}

function moveSelection(state: ListenViewState, delta: number, viewportRows: number): ListenViewState {
  const list = listedRecords(state);
  if (list.length === 0) return state;
  const rows = Math.max(1, Math.floor(viewportRows));
  const current = selectedIndexIn(state, list);
  const target = clamp(current + delta, 0, list.length - 1);
  // Back on the newest row: follow new arrivals again.
  if (target === list.length - 1) {
    return { ...state, ...followNewest, paused: state.paused?.auto ? null : state.paused };
  }
  const top = clampTop(windowTop(state, list, current, rows), target, rows, list.length);
  return { ...state, follow: false, selectedSeq: list[target]!.seq, topSeq: list[top]!.seq };
}

/** Median of the recent target durations, or null before any target has answered. */
export function p50Latency(state: ListenViewState): number | null {
  const values = state.latency.values;
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[(sorted.length - 1) >> 1]!;
}

/** Deliveries that arrived since `p` froze the list. */
export function arrivedWhilePaused(state: ListenViewState): number {
  return state.paused ? state.counters.received - state.paused.receivedAtPause : 0;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
