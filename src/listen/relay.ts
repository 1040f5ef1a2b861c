import { receivedSignature } from "../signing/headers.js";
import { verifySignature } from "../signing/signature.js";
import { DeliveryLog } from "./delivery-log.js";
import { statusForError, type Forwarder } from "./forwarder.js";
import type { DeliveryLogFile } from "./log-file.js";
import type { IncomingDelivery, ReceiverReply } from "./receiver.js";
import type { DeliveryRecord, SignatureCheck } from "./types.js";

export type DeliveryListener = (record: DeliveryRecord) => void;

export interface RelayOptions {
  forwarder: Forwarder;
  /** null: there is no secret to check with (a reused endpoint and no --secret). */
  secret: string | null;
  /** Said on every delivery when secret is null. */
  unverifiableReason?: string;
  logFile?: DeliveryLogFile | null;
  log?: DeliveryLog;
  /** Epoch ms. */
  now?: () => number;
}

/** Delivery ids remembered for attempt counting; older ones are forgotten first. */
const MAX_TRACKED_IDS = 10_000;

/**
 * The heart of listen, free of sockets of its own: each delivery the receiver hands over is checked,
 * recorded, announced, forwarded, recorded again with the target's answer, and answered with that
 * answer. Listeners see every record twice (arrival, then completion), under the same seq.
 */
export class DeliveryRelay {
  readonly log: DeliveryLog;
  private readonly listeners = new Set<DeliveryListener>();
  private readonly attempts = new Map<string, number>();
  private seq = 0;
  private readonly now: () => number;

  constructor(private readonly options: RelayOptions) {
    this.log = options.log ?? new DeliveryLog();
    this.now = options.now ?? Date.now;
  }

  /** Called with the records already kept, then with every new one; returns unsubscribe. */
  subscribe(listener: DeliveryListener): () => void {
    for (const record of this.log.records()) listener(record);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The receiver's onDelivery. */
  readonly receive = async (incoming: IncomingDelivery): Promise<ReceiverReply> => {
    const record = this.open(incoming, null);
    return this.forward(record);
  };

  /** Re-sends a kept delivery's body and headers to the target as a new record. */
  async replay(seq: number): Promise<DeliveryRecord> {
    const original = this.log.get(seq);
    if (!original) throw new Error(`delivery #${seq} is no longer kept in memory (see --log-file)`);
    const record = this.open({ ...original.request }, seq);
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

  private async forward(record: DeliveryRecord): Promise<ReceiverReply> {
    const outcome = await this.options.forwarder.forward(record.request.headers, record.request.body);
    const done: DeliveryRecord = { ...record, target: outcome.result };
    this.log.update(done);
    this.options.logFile?.write(done);
    this.emit(done);
    const { result } = outcome;
    if (result.statusCode === null) {
      const body = JSON.stringify({ error: `forward to ${result.url} failed: ${result.error}` }) + "\n";
      return { statusCode: statusForError(outcome.cause), headers: { "content-type": "application/json" }, body };
    }
    return {
      statusCode: result.statusCode,
      headers: outcome.contentType ? { "content-type": outcome.contentType } : {},
      body: outcome.body,
    };
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
    const attempt = (this.attempts.get(id) ?? 0) + 1;
    this.attempts.delete(id);
    this.attempts.set(id, attempt);
    if (this.attempts.size > MAX_TRACKED_IDS) this.attempts.delete(this.attempts.keys().next().value!);
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
