import { isSettledStatus, type Delivery } from "../api/types.js";
import { deliveryHeaders } from "../signing/headers.js";
import { signPayload } from "../signing/signature.js";
import { ConcurrencyLimiter } from "./limiter.js";
import type { DeliveryRecord } from "./persist.js";
import { applyAttempt, newDeliveryRecord, startRedelivery } from "./records.js";
import type { AttemptResult } from "./send.js";
import { edit, type EmulatorStore } from "./store.js";

export interface Sender {
  send(url: string, headers: Record<string, string>, body: string): Promise<AttemptResult>;
  close(): Promise<void>;
}

interface EngineOptions {
  store: EmulatorStore;
  sender: Sender;
  /** Divides every delay of the retry schedule (`--time-scale`). */
  timeScale: number;
  log?: (line: string) => void;
  now?: () => Date;
}

/** Attempts on the wire at once to one endpoint, and overall. */
const IN_FLIGHT_PER_ENDPOINT = 8;
const IN_FLIGHT = 64;

/** setTimeout cannot wait longer than this (about 24.8 days); longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The delivery engine: each attempt is signed afresh (current timestamp, the endpoint's current
 * secret, so a rotation applies at once), sent, recorded, and — when the retry policy says so —
 * scheduled again. Timers are the only state it keeps of its own; the store holds the rest, so a
 * restart with the same data folder picks up every pending retry (resume()).
 */
export class DeliveryEngine {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<Delivery | undefined>>();
  private closed = false;
  private readonly now: () => Date;
  /**
   * Deliveries to different endpoints go out in parallel; a bound per endpoint keeps a slow or
   * flooded receiver from taking every slot, and the overall bound keeps sockets and memory in check.
   */
  private readonly limiter: ConcurrencyLimiter;

  constructor(private readonly options: EngineOptions) {
    this.now = options.now ?? (() => new Date());
    this.limiter = new ConcurrencyLimiter(IN_FLIGHT_PER_ENDPOINT, IN_FLIGHT);
  }

  /** Records a new delivery and makes its first attempt; resolves with the delivery after it. */
  deliver(input: { endpointId: string; id: string; eventType: string; body: string }): {
    delivery: Delivery;
    firstAttempt: Promise<Delivery | undefined>;
  } {
    const endpoint = this.options.store.endpoint(input.endpointId);
    if (!endpoint) throw new Error(`no endpoint ${input.endpointId}`);
    const record = newDeliveryRecord({ ...input, url: endpoint.url, now: this.now() });
    const dropped = this.options.store.change((state) => edit.addDelivery(state, input.endpointId, record));
    this.forget(dropped);
    return { delivery: record.delivery, firstAttempt: this.attempt(input.endpointId, input.id) };
  }

  /** Whether an attempt of this delivery is on the wire, or waiting for a slot, right now. */
  isSending(endpointId: string, deliveryId: string): boolean {
    return this.running.has(key(endpointId, deliveryId));
  }

  /**
   * Sends the delivery's exact body again as a new run of the schedule (pending retries of the old
   * run are dropped). The caller checks first that the endpoint is enabled and nothing is in flight.
   */
  redeliver(endpointId: string, deliveryId: string): { delivery: Delivery; firstAttempt: Promise<Delivery | undefined> } {
    const current = this.options.store.delivery(endpointId, deliveryId);
    if (!current) throw new Error(`no delivery ${deliveryId}`);
    this.cancel(endpointId, deliveryId);
    const record = startRedelivery(current, this.now());
    this.options.store.change((state) => edit.putDelivery(state, endpointId, record));
    return { delivery: record.delivery, firstAttempt: this.attempt(endpointId, deliveryId) };
  }

  /**
   * Schedules every unfinished delivery (of one endpoint, or all) that has no timer and no attempt
   * in flight: after a restart, and when a paused endpoint is resumed. Overdue ones go at once.
   */
  resume(endpointId?: string): number {
    let count = 0;
    const { store } = this.options;
    const endpoints = endpointId ? [store.endpoint(endpointId)] : store.endpoints();
    for (const endpoint of endpoints) {
      if (!endpoint?.enabled) continue;
      for (const { delivery } of store.deliveries(endpoint.id)) {
        const k = key(endpoint.id, delivery.id);
        if (isSettledStatus(delivery.status) || this.timers.has(k) || this.running.has(k)) continue;
        this.schedule(endpoint.id, delivery.id, delivery.nextAttemptAt);
        count++;
      }
    }
    return count;
  }

  /** Cancels the timers of deliveries that no longer exist (endpoint deleted, dropped from the log). */
  forget(records: readonly DeliveryRecord[]): void {
    for (const { delivery } of records) this.cancel(delivery.endpointId, delivery.id);
  }

  /** Stops every timer and aborts attempts in flight; those are not recorded, so a restart retries them. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.options.sender.close();
    await Promise.allSettled([...this.running.values()]);
  }

  private cancel(endpointId: string, deliveryId: string): void {
    const k = key(endpointId, deliveryId);
    const timer = this.timers.get(k);
    if (timer) clearTimeout(timer);
    this.timers.delete(k);
  }

  private schedule(endpointId: string, deliveryId: string, at: string | null): void {
    if (this.closed) return;
    const k = key(endpointId, deliveryId);
    const due = at ? Date.parse(at) : Number.NaN;
    const wait = Number.isFinite(due) ? Math.max(0, due - this.now().getTime()) : 0;
    const timer = setTimeout(() => {
      this.timers.delete(k);
      if (wait > MAX_TIMER_MS) this.schedule(endpointId, deliveryId, at);
      else void this.attempt(endpointId, deliveryId);
    }, Math.min(wait, MAX_TIMER_MS));
    this.timers.set(k, timer);
  }

  /** One attempt, at most one at a time per delivery; it waits for a slot (signed once it has one). */
  private attempt(endpointId: string, deliveryId: string): Promise<Delivery | undefined> {
    const k = key(endpointId, deliveryId);
    const existing = this.running.get(k);
    if (existing) return existing;
    const run = this.limiter.run(endpointId, () => this.runAttempt(endpointId, deliveryId)).finally(() => this.running.delete(k));
    this.running.set(k, run);
    return run;
  }

  private async runAttempt(endpointId: string, deliveryId: string): Promise<Delivery | undefined> {
    const { store, sender, log } = this.options;
    const endpoint = store.endpoint(endpointId);
    const record = store.delivery(endpointId, deliveryId);
    if (!endpoint || !record || this.closed) return record?.delivery;
    // A paused endpoint gets nothing; resume() sends what was held back.
    if (!endpoint.enabled) return record.delivery;

    const startedAt = this.now();
    const timestamp = Math.floor(startedAt.getTime() / 1000);
    const { body } = record.delivery.request;
    // Endpoints stored before schemes existed sign as they always did.
    const scheme = endpoint.scheme ?? "v1";
    const headers = deliveryHeaders({
      eventType: record.delivery.eventType,
      deliveryId,
      timestamp,
      signature: signPayload(endpoint.secret, body, scheme, timestamp, deliveryId),
      scheme,
    });
    const attemptNumber = record.delivery.attempt + 1;
    log?.(`--> ${record.delivery.eventType} [${deliveryId}] attempt ${attemptNumber} to ${endpoint.url}`);
    const result = await sender.send(endpoint.url, headers, body);
    if (this.closed) return record.delivery;

    const current = store.delivery(endpointId, deliveryId);
    if (!current) return undefined;
    const updated = applyAttempt(current, {
      result,
      url: endpoint.url,
      requestHeaders: headers,
      startedAt,
      now: this.now(),
      timeScale: this.options.timeScale,
    });
    try {
      store.change((state) => edit.putDelivery(state, endpointId, updated));
    } catch (error) {
      log?.(`!!! could not save delivery ${deliveryId}: ${(error as Error).message}`);
      return current.delivery;
    }
    const d = updated.delivery;
    const answer = result.statusCode === null ? result.error : String(result.statusCode);
    const next = d.status === "retrying" ? `, next attempt at ${d.nextAttemptAt}` : "";
    log?.(`<-- [${answer}] POST ${endpoint.url} [${deliveryId}] ${result.durationMs} ms: ${d.status}${next}`);
    if (d.status === "retrying") this.schedule(endpointId, deliveryId, d.nextAttemptAt);
    return d;
  }
}

function key(endpointId: string, deliveryId: string): string {
  return `${endpointId} ${deliveryId}`;
}
