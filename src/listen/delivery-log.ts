import type { DeliveryRecord } from "./types.js";

const DEFAULT_LOG_LIMIT = 1000;
/** Bodies dominate memory: 1000 records of 5 MB would be 5 GB, so bytes are capped as well. */
const DEFAULT_LOG_BYTES = 64 * 1024 * 1024;

/**
 * The last N deliveries of a session, in arrival order, looked up by seq. A ring indexed by seq keeps
 * insert, update and lookup O(1) however long the session runs; the oldest records (and their
 * bodies) are dropped once the count or the byte budget is exceeded.
 */
export class DeliveryLog {
  private readonly ring: Array<DeliveryRecord | undefined>;
  private bytes = 0;
  private oldest = 1;
  private newest = 0;
  private limit: number;

  constructor(
    limit = DEFAULT_LOG_LIMIT,
    readonly maxBytes = DEFAULT_LOG_BYTES,
  ) {
    this.limit = limit;
    this.ring = new Array(limit);
  }

  /**
   * From now on keeps at most `limit` records (at least 1, at most what it was built with); the
   * oldest beyond it go now. For a session nobody can look back into: each kept record lives long
   * enough to reach V8's old space, and collecting it there is most of what keeping it costs.
   */
  keepAtMost(limit: number): void {
    this.limit = Math.max(1, Math.min(Math.floor(limit), this.ring.length));
    while (this.size > this.limit) this.dropOldest();
  }

  /** Adds a record whose seq is the next one; older records fall out when over budget. */
  add(record: DeliveryRecord): void {
    if (record.seq !== this.newest + 1) throw new Error(`out-of-order seq ${record.seq} after ${this.newest}`);
    if (this.newest - this.oldest + 1 >= this.limit) this.dropOldest();
    this.ring[record.seq % this.ring.length] = record;
    this.newest = record.seq;
    this.bytes += record.request.body.length;
    while (this.bytes > this.maxBytes && this.oldest < this.newest) this.dropOldest();
  }

  /** Replaces a kept record by a newer version of itself (its forward completed); false when dropped. */
  update(record: DeliveryRecord): boolean {
    if (this.get(record.seq) === undefined) return false;
    this.ring[record.seq % this.ring.length] = record;
    return true;
  }

  get(seq: number): DeliveryRecord | undefined {
    if (seq < this.oldest || seq > this.newest) return undefined;
    return this.ring[seq % this.ring.length];
  }

  get size(): number {
    return this.newest - this.oldest + 1;
  }

  get lastSeq(): number {
    return this.newest;
  }

  get bodyBytes(): number {
    return this.bytes;
  }

  /** Oldest first. */
  records(): DeliveryRecord[] {
    const out: DeliveryRecord[] = [];
    for (let seq = this.oldest; seq <= this.newest; seq++) {
      const record = this.ring[seq % this.ring.length];
      if (record) out.push(record);
    }
    return out;
  }

  private dropOldest(): void {
    const slot = this.oldest % this.ring.length;
    const record = this.ring[slot];
    if (record) this.bytes -= record.request.body.length;
    this.ring[slot] = undefined;
    this.oldest++;
  }
}
