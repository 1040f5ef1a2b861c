import type { Endpoint } from "../api/types.js";
import { applyChange, frozenCopy, logOf, type Change } from "./changes.js";
import { lockDataDir } from "./data-dir-lock.js";
import { JournalWriter, loadDataDir, removeJournalsBefore, writeSnapshot } from "./journal.js";
import { emptyState, type DeliveryRecord, type EmulatorState } from "./persist.js";

interface StoreOptions {
  /** The journal is compacted once it is larger than the snapshot and than this. Default 1 MB. */
  compactMinBytes?: number;
  /** Told when a background compaction fails (the journal simply keeps growing until the next try). */
  log?: (line: string) => void;
}

/** Flushes under way at once at most (each holds one of libuv's four pool threads). */
const MAX_FLUSHES = 3;

/**
 * How long a change that nobody waits for (an attempt made by a retry timer) may stay in memory
 * before it is written anyway. Changes somebody waits for go at the end of the turn.
 */
const UNAWAITED_COMMIT_MS = 20;

interface Batch {
  /** The change count this batch brings the journal up to. */
  upTo: number;
  writer: JournalWriter;
  done: boolean;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** The changes made by edit.* inside the change() that is running (change() is synchronous). */
let collecting: Change[] | undefined;

function record(state: EmulatorState, change: Change) {
  collecting?.push(change);
  return applyChange(state, change);
}

/**
 * The emulator's state: endpoints (secrets in full) and each endpoint's delivery log, newest first,
 * in memory. With a data folder each change is also appended to the journal (journal.ts):
 * - group commit: every change of one turn of the event loop goes out in one write and one fsync
 *   (the fsync off the main thread; a few may overlap, each covering the writes before it);
 * - durable() resolves once everything changed so far is on disk: the server answers after it,
 *   so an acknowledged change survives a crash, and so does anything an answer showed;
 * - when the journal outgrows the snapshot, a new snapshot is written in the background from a
 *   copy of the state taken in one step (no request waits for more than that copy).
 */
export class EmulatorStore {
  private writer: JournalWriter | undefined;
  private snapshotBytes = 0;
  /** Changes made and not yet written, in order. */
  private pending: Change[] = [];
  /** Where in `pending` each delivery's put is ("endpointId deliveryId"): a later put replaces it there. */
  private pendingDeliveries = new Map<string, number>();
  private unawaited: NodeJS.Timeout | undefined;
  private seq = 0;
  private committed = 0;
  private waiters: Waiter[] = [];
  private scheduled = false;
  /** Batches written and being flushed, oldest first. */
  private flushing: Batch[] = [];
  /** Counts failures: flushes started before one no longer count. */
  private epoch = 0;
  /** Journals replaced by a newer one, still being flushed. */
  private retired: JournalWriter[] = [];
  /** Gives the data folder back (see data-dir-lock.ts). */
  private releaseLock: () => void = () => {};
  /** A snapshot to write once the batch that ends its journal is flushed. */
  private compactAfter: { state: EmulatorState; generation: number; upTo: number } | undefined;
  private compacting: Promise<void> | undefined;
  /** Notices from loading the data folder (a torn record dropped, an old file migrated). */
  readonly notices: string[] = [];

  private constructor(
    private state: EmulatorState,
    private readonly dataDir: string | undefined,
    private readonly options: StoreOptions,
  ) {}

  static open(dataDir?: string, options: StoreOptions = {}): EmulatorStore {
    if (!dataDir) return new EmulatorStore(emptyState(), undefined, options);
    const release = lockDataDir(dataDir);
    let loaded: ReturnType<typeof loadDataDir>;
    try {
      loaded = loadDataDir(dataDir);
    } catch (error) {
      release();
      throw error;
    }
    const store = new EmulatorStore(loaded.state, dataDir, options);
    store.releaseLock = release;
    store.writer = new JournalWriter(dataDir, loaded.generation, loaded.journalBytes);
    store.snapshotBytes = loaded.snapshotBytes;
    store.notices.push(...loaded.notices);
    return store;
  }

  get persistent(): boolean {
    return this.dataDir !== undefined;
  }

  /**
   * Runs `fn` against the state; what it changes through `edit` is applied at once (later reads
   * see it) and queued for the journal. Only edit.* is journaled: never change the state directly.
   */
  change<T>(fn: (state: EmulatorState) => T): T {
    if (!this.writer) return fn(this.state);
    const outer = collecting;
    const changes: Change[] = [];
    collecting = changes;
    try {
      return fn(this.state);
    } finally {
      collecting = outer;
      // Even when fn threw, what it did apply is in memory, so it goes to disk too.
      for (const change of changes) this.queue(change);
      if (changes.length > 0) {
        this.seq++;
        this.unawaited ??= setTimeout(() => {
          this.unawaited = undefined;
          this.commitSoon();
        }, UNAWAITED_COMMIT_MS).unref();
      }
    }
  }

  /**
   * Resolves once every change made so far is on disk (at once without a data folder); rejects
   * when writing it failed (the state is then back to what the disk holds).
   *
   * Changes are written when someone waits for them (at the end of that turn), not as they are
   * made: a test delivery's record, created before its attempt and replaced after it, is then
   * written once, with one flush, when its answer is due (and a change nobody waits for goes
   * within UNAWAITED_COMMIT_MS). Nothing answered can be missing: every answer waits here.
   */
  durable(): Promise<void> {
    if (this.committed >= this.seq) return Promise.resolve();
    const seq = this.seq;
    // Otherwise what it waits for is already being flushed.
    if (this.pending.length > 0) this.commitSoon();
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /**
   * Adds a change to what the next batch writes. A delivery put while an earlier put of it is still
   * unwritten takes that one's place: the state holds only the latest, and the place keeps the
   * order in which it was added to its log (a put of a delivery already there replaces it in place).
   */
  private queue(change: Change): void {
    if (change.kind === "delivery") {
      const key = `${change.value.delivery.endpointId} ${change.value.delivery.id}`;
      const at = this.pendingDeliveries.get(key);
      if (at !== undefined) {
        this.pending[at] = change;
        return;
      }
      this.pendingDeliveries.set(key, this.pending.length);
    }
    this.pending.push(change);
  }

  /** Writes what is pending and waits for a compaction under way; the store is not used after. */
  async close(): Promise<void> {
    if (!this.writer) return;
    this.commit();
    await this.durable().catch(() => {});
    while (this.compacting || this.compactAfter) await (this.compacting ?? new Promise((r) => setImmediate(r)));
    clearTimeout(this.unawaited);
    for (const writer of [...this.retired, this.writer]) writer.close();
    this.retired = [];
    this.writer = undefined;
    this.releaseLock();
  }

  endpoints(): Endpoint[] {
    return this.state.endpoints;
  }

  endpoint(id: string): Endpoint | undefined {
    return this.state.endpoints.find((e) => e.id === id);
  }

  deliveries(endpointId: string): DeliveryRecord[] {
    return logOf(this.state, endpointId) ?? [];
  }

  delivery(endpointId: string, deliveryId: string): DeliveryRecord | undefined {
    return this.deliveries(endpointId).find((r) => r.delivery.id === deliveryId);
  }

  /** The key generated by an earlier run with this data folder, if any. */
  generatedApiKey(): string | undefined {
    const key = this.state.generatedApiKey;
    return typeof key === "string" && key !== "" ? key : undefined;
  }

  /** After the I/O callbacks of this turn, so all of its changes share one write. */
  private commitSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.commit();
    });
  }

  /**
   * Writes what is pending as one batch and starts its flush. Up to MAX_FLUSHES flushes run at
   * once, so a change made while one is under way need not wait for it to end before its own
   * starts; waiters are released in order, once every batch up to theirs is flushed.
   */
  private commit(): void {
    const writer = this.writer;
    if (this.pending.length === 0 || !writer || this.flushing.length >= MAX_FLUSHES) return;
    let text = "";
    for (const change of this.pending) text += JSON.stringify(change) + "\n";
    this.pending = [];
    this.pendingDeliveries.clear();
    clearTimeout(this.unawaited);
    this.unawaited = undefined;
    // Decided in the same step as the batch is written: the copy holds exactly what `writer`
    // holds after this batch, and later batches go to the next journal.
    const compaction = this.shouldCompact(writer, text.length) ? this.rotate(writer) : undefined;
    const bytesBefore = writer.bytes;
    try {
      writer.write(text);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    const batch: Batch = { upTo: this.seq, writer, done: false };
    this.flushing.push(batch);
    if (compaction) this.compactAfter = { ...compaction, upTo: batch.upTo };
    const epoch = this.epoch;
    writer.sync().then(
      () => {
        if (epoch !== this.epoch) return;
        batch.done = true;
        this.settle();
      },
      (error: Error) => {
        if (epoch !== this.epoch) return;
        writer.cutBack(bytesBefore);
        this.fail(error);
      },
    );
  }

  /** Releases the waiters of every batch flushed in order, closes retired journals, starts what waits. */
  private settle(): void {
    while (this.flushing[0]?.done) this.committed = this.flushing.shift()!.upTo;
    this.waiters = this.waiters.filter((w) => (w.seq <= this.committed ? (w.resolve(), false) : true));
    this.retired = this.retired.filter((w) => (this.flushing.some((b) => b.writer === w) ? true : (w.close(), false)));
    const compaction = this.compactAfter;
    if (compaction && this.committed >= compaction.upTo) {
      this.compactAfter = undefined;
      this.compacting = this.compact(compaction.state, compaction.generation).finally(() => (this.compacting = undefined));
    }
    // What waits (or what the timer let go while the flushes were full) goes now; the rest waits for a reason.
    if (this.pending.length > 0 && (this.waiters.length > 0 || this.unawaited === undefined)) this.commitSoon();
  }

  private shouldCompact(writer: JournalWriter, adding: number): boolean {
    const size = writer.bytes + adding;
    const idle = !this.compacting && !this.compactAfter;
    return idle && size > this.snapshotBytes && size > (this.options.compactMinBytes ?? 1 << 20);
  }

  private rotate(writer: JournalWriter): { state: EmulatorState; generation: number } {
    const generation = writer.generation + 1;
    this.writer = new JournalWriter(writer.dir, generation, 0);
    // Closed once its last flush is done (a flush of a closed file would fail).
    this.retired.push(writer);
    return { state: frozenCopy(this.state), generation };
  }

  private async compact(state: EmulatorState, generation: number): Promise<void> {
    const dir = this.dataDir!;
    try {
      this.snapshotBytes = await writeSnapshot(dir, state, generation);
      removeJournalsBefore(dir, generation);
    } catch (error) {
      // Nothing is lost: the old snapshot and every journal since it are still there.
      this.options.log?.(`!!! could not compact ${dir}: ${(error as Error).message}`);
    }
  }

  /**
   * A failed write (disk full, I/O error): memory goes back to what the disk holds, and every
   * change not yet on disk is refused to whoever waits for it.
   */
  private fail(error: Error): void {
    const waiters = this.waiters;
    this.epoch++;
    this.waiters = [];
    this.pending = [];
    this.pendingDeliveries.clear();
    this.flushing = [];
    this.compactAfter = undefined;
    this.committed = this.seq;
    try {
      this.state = loadDataDir(this.dataDir!, false).state;
    } catch (reloadError) {
      this.options.log?.(`!!! could not reload ${this.dataDir}: ${(reloadError as Error).message}`);
    }
    const refused = new Error(`could not write to ${this.dataDir}: ${error.message}`);
    for (const w of waiters) w.reject(refused);
  }
}

/** State edits, for use inside EmulatorStore.change(); each is one journal record. */
export const edit = {
  putEndpoint(state: EmulatorState, endpoint: Endpoint): void {
    record(state, { op: "put", kind: "endpoint", value: endpoint });
  },

  /** Removes the endpoint and its log; returns the log so pending retries can be cancelled. */
  removeEndpoint(state: EmulatorState, id: string): DeliveryRecord[] {
    return record(state, { op: "delete", kind: "endpoint", id }).removed;
  },

  /** Adds a delivery as the newest; returns those dropped past the limit. */
  addDelivery(state: EmulatorState, endpointId: string, delivery: DeliveryRecord): DeliveryRecord[] {
    if (delivery.delivery.endpointId !== endpointId) throw new Error(`delivery ${delivery.delivery.id} belongs to ${delivery.delivery.endpointId}`);
    return record(state, { op: "put", kind: "delivery", value: delivery }).removed;
  },

  /** Replaces a delivery in place; false when it is gone (its endpoint deleted, or dropped). */
  putDelivery(state: EmulatorState, endpointId: string, delivery: DeliveryRecord): boolean {
    const list = logOf(state, endpointId);
    if (!list?.some((r) => r.delivery.id === delivery.delivery.id)) return false;
    record(state, { op: "put", kind: "delivery", value: delivery });
    return true;
  },

  /** Keeps the generated API key, so the key exported in other terminals works after a restart. */
  setGeneratedApiKey(state: EmulatorState, key: string): void {
    record(state, { op: "put", kind: "apiKey", value: key });
  },
};
