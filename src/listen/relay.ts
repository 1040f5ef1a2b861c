import { receivedSignature } from "../signing/headers.js";
import { verifySignature } from "../signing/signature.js";
import { DeliveryLog } from "./delivery-log.js";
import { statusForError, type ForwardOutcome, type Forwarder } from "./forwarder.js";
import type { DeliveryLogFile } from "./log-file.js";
import { outgoingHeaders } from "./outgoing-headers.js";
import type { IncomingDelivery, ReceiverReply } from "./receiver.js";
import type { DeliveryRecord, ForwardResult, SignatureCheck } from "./types.js";

type DeliveryListener = (record: DeliveryRecord) => void;

/** A forwarder and the events it takes (one per --forward). */
export interface RoutedForwarder {
  /** null: every event. */
  pattern: string | null;
  matches(eventType: string): boolean;
  forwarder: Forwarder;
}

interface RelayOptions {
  /** Every --forward, in order; a delivery goes to each that matches its event type, at once. */
  targets: readonly RoutedForwarder[];
  /** null: there is no secret to check with (a reused endpoint and no --secret). */
  secret: string | null;
  /** Said on every delivery when secret is null. */
  unverifiableReason?: string;
  /** --headers, added to (and overriding) the forwarded headers; the same for every target. */
  extraHeaders?: Record<string, string>;
  logFile?: DeliveryLogFile | null;
  log?: DeliveryLog;
  /** Epoch ms. */
  now?: () => number;
}

/** Delivery ids remembered for attempt counting; older ones are forgotten first. */
const MAX_TRACKED_IDS = 10_000;
/** Event types whose matching targets are remembered; event types come from outside, so capped. */
const MAX_ROUTED_TYPES = 1_000;

/**
 * The heart of listen, free of sockets of its own: each delivery the receiver hands over is checked,
 * recorded, announced, forwarded, recorded again with the target's answer, and answered with that
 * answer. Listeners see every record twice (arrival, then completion), under the same seq.
 */
export class DeliveryRelay {
  readonly log: DeliveryLog;
  private readonly listeners = new Set<DeliveryListener>();
  private attempts = new Map<string, number>();
  private olderAttempts = new Map<string, number>();
  private seq = 0;
  private readonly now: () => number;
  private readonly routes = new Map<string, Forwarder[]>();
  private readonly extraHeaders: Record<string, string>;

  constructor(private readonly options: RelayOptions) {
    this.log = options.log ?? new DeliveryLog();
    this.now = options.now ?? Date.now;
    this.extraHeaders = options.extraHeaders ?? {};
  }

  /** Called with the records already kept, then with every new one; returns unsubscribe. */
  subscribe(listener: DeliveryListener): () => void {
    for (const record of this.log.records()) listener(record);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The receiver's onDelivery. */
  readonly receive = (incoming: IncomingDelivery): Promise<ReceiverReply> => {
    // A plain function, not async: one promise less per delivery; a throw still becomes a rejection.
    try {
      return this.forward(this.open(incoming, null));
    } catch (error) {
      return Promise.reject(error);
    }
  };

  /**
   * Re-sends a delivery's body and headers to the target as a new record. It takes the record, not
   * its seq: the view may still show (paused, or selected) one the bounded log has let go of.
   */
  async replay(original: DeliveryRecord): Promise<DeliveryRecord> {
    const record = this.open({ ...original.request }, original.seq);
    await this.forward(record);
    return this.log.get(record.seq) ?? record;
  }

  private open(incoming: IncomingDelivery, replayOf: number | null): DeliveryRecord {
    const seq = ++this.seq;
    const headers = incoming.headers;
    const payload =
      (headers["x-fanfare-delivery-id"] || headers["webhook-id"]) && headers["x-fanfare-event-type"] ? null : parsePayload(incoming.body);
    const id = headers["x-fanfare-delivery-id"] || headers["webhook-id"] || stringField(payload, "id") || `lst_${seq}`;
    const eventType = headers["x-fanfare-event-type"] || stringField(payload, "type") || stringField(payload, "event") || "unknown";
    const { signature, reason } = this.check(headers, incoming.body);
    const record: DeliveryRecord = {
      seq,
      id,
      eventType,
      receivedAt: this.now(),
      attempt: replayOf === null ? this.countAttempt(id) : 1,
      signature,
      signatureReason: reason,
      request: { method: incoming.method, path: incoming.path, headers, body: incoming.body },
      target: null,
      replayOf,
    };
    this.log.add(record);
    this.emit(record);
    return record;
  }

  private targetsFor(eventType: string): Forwarder[] {
    let found = this.routes.get(eventType);
    if (found === undefined) {
      found = this.options.targets.filter((t) => t.matches(eventType)).map((t) => t.forwarder);
      if (this.routes.size >= MAX_ROUTED_TYPES) this.routes.clear();
      this.routes.set(eventType, found);
    }
    return found;
  }

  /**
   * Not async (each await is a promise and a turn more per delivery): chains on the forwards' promises.
   * The outgoing headers are picked once here, for a live delivery and a replay alike, and the one
   * object goes to every target.
   */
  private forward(record: DeliveryRecord): Promise<ReceiverReply> {
    const forwarders = this.targetsFor(record.eventType);
    if (forwarders.length === 0) {
      const error = `no --forward takes ${record.eventType}`;
      this.complete({
        ...record,
        target: { url: "(no target)", statusCode: null, error: `not forwarded: ${error}`, durationMs: 0, responseHeaders: {}, responseBody: "" },
        targets: [],
      });
      // 404 is final for the platform: no retries of what this session was told not to forward.
      return Promise.resolve(jsonReply(404, { error, target: null }));
    }
    const headers = outgoingHeaders(record.request.headers, this.extraHeaders);
    const body = record.request.body;
    if (forwarders.length === 1) {
      // The common case, kept free of arrays and extra records.
      return forwarders[0]!.forward(headers, body).then((outcome) => {
        this.complete({ ...record, target: outcome.result });
        return replyFor(outcome);
      });
    }
    const pending: Promise<ForwardOutcome>[] = [];
    for (const forwarder of forwarders) pending.push(forwarder.forward(headers, body));
    return Promise.all(pending).then((outcomes) => {
      const worst = worstOutcome(outcomes);
      let longest = 0;
      const results: ForwardResult[] = [];
      for (const outcome of outcomes) {
        longest = Math.max(longest, outcome.result.durationMs);
        results.push(outcome.result);
      }
      this.complete({ ...record, target: { ...worst.result, durationMs: longest }, targets: results });
      return replyFor(worst);
    });
  }

  private complete(done: DeliveryRecord): void {
    this.log.update(done);
    this.options.logFile?.write(done);
    this.emit(done);
  }

  private check(headers: Record<string, string>, body: Buffer): { signature: SignatureCheck; reason: string | null } {
    // X-Fanfare-Signature, or a Standard Webhooks webhook-signature with its id and timestamp.
    const received = receivedSignature(headers);
    const header = received.signature;
    if (header === undefined || header.trim() === "") return { signature: "missing", reason: "no X-Fanfare-Signature header" };
    if (this.options.secret === null) {
      return { signature: "invalid", reason: this.options.unverifiableReason ?? "not verified: no signing secret" };
    }
    const result = verifySignature({
      secret: this.options.secret,
      payload: body,
      signature: header,
      timestamp: received.timestamp,
      id: received.id,
      now: Math.floor(this.now() / 1000),
    });
    return result.valid ? { signature: "valid", reason: null } : { signature: "invalid", reason: result.reason };
  }

  private countAttempt(id: string): number {
    // Two generations instead of one map kept in order: a delete, an insert and an iterator per
    // delivery cost more than the count. An id seen in the older generation moves to the newer one;
    // the older one is dropped whole when the newer fills up, so the last MAX_TRACKED_IDS / 2 ids
    // at least are always remembered.
    const attempt = (this.attempts.get(id) ?? this.olderAttempts.get(id) ?? 0) + 1;
    this.attempts.set(id, attempt);
    if (this.attempts.size >= MAX_TRACKED_IDS / 2) {
      this.olderAttempts = this.attempts;
      this.attempts = new Map();
    }
    return attempt;
  }

  private emit(record: DeliveryRecord): void {
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // A view's bug must not stop deliveries.
      }
    }
  }
}

/** The status the sender gets for one target's outcome. */
function statusOf(outcome: ForwardOutcome): number {
  return outcome.result.statusCode ?? statusForError(outcome.cause);
}

/** How bad an outcome is for the sender: any 2xx is as good as another; past that, the higher the worse. */
function badness(outcome: ForwardOutcome): number {
  const status = statusOf(outcome);
  return status >= 200 && status < 300 ? 0 : status;
}

/**
 * What the sender gets from several targets: the first target's answer when every one answered
 * 2xx; otherwise the worst (highest) status, so a target down (502/504) is never hidden by another.
 */
function worstOutcome(outcomes: readonly ForwardOutcome[]): ForwardOutcome {
  let worst = outcomes[0]!;
  for (const outcome of outcomes) if (badness(outcome) > badness(worst)) worst = outcome;
  return worst;
}

function jsonReply(statusCode: number, body: Record<string, unknown>): ReceiverReply {
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) + "\n" };
}

/**
 * The target's own answer, or when it gave none 502/504 with what happened and to which target
 * (`{"error": "connection refused", "target": "http://localhost:3000/webhooks"}`), which trigger prints.
 */
function replyFor(outcome: ForwardOutcome): ReceiverReply {
  const { result } = outcome;
  if (result.statusCode === null) return jsonReply(statusForError(outcome.cause), { error: result.error, target: result.url });
  return {
    statusCode: result.statusCode,
    headers: outcome.contentType ? { "content-type": outcome.contentType } : {},
    body: outcome.body,
  };
}

function parsePayload(body: Buffer): unknown {
  if (body.length === 0 || body.length > 1024 * 1024) return null;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
}

function stringField(value: unknown, key: string): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === "string" && field !== "" ? field : undefined;
}
