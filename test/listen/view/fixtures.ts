import type { DeliveryRecord, ForwardResult, SessionInfo } from "../../../src/listen/types.js";
import type { ListenViewSource } from "../../../src/listen/types.js";

/** 2026-01-02 12:00:01 local time, so clock strings read the same in any time zone. */
export const T0 = new Date(2026, 0, 2, 12, 0, 1).getTime();

export function deliveryId(seq: number): string {
  return `whk_${String(seq).padStart(6, "0")}`;
}

export function makeRecord(seq: number, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  const eventType = overrides.eventType ?? "draw.consumer.won";
  const body = Buffer.from(JSON.stringify({ id: deliveryId(seq), type: eventType, data: { position: seq } }));
  return {
    seq,
    id: deliveryId(seq),
    eventType,
    receivedAt: T0,
    attempt: 1,
    signature: "valid",
    signatureReason: null,
    request: {
      method: "POST",
      path: "/webhooks",
      headers: { "content-type": "application/json", "x-fanfare-event-type": eventType },
      body,
    },
    target: null,
    replayOf: null,
    ...overrides,
  };
}

export function forwardResult(overrides: Partial<ForwardResult> = {}): ForwardResult {
  return {
    url: "http://localhost:3000/webhooks",
    statusCode: 200,
    error: null,
    durationMs: 4,
    responseHeaders: { "content-type": "application/json" },
    responseBody: '{"received":true}',
    ...overrides,
  };
}

export function completed(record: DeliveryRecord, target: Partial<ForwardResult> = {}): DeliveryRecord {
  return { ...record, target: forwardResult(target) };
}

export const SESSION: SessionInfo = {
  mode: "local",
  receiverUrl: "http://127.0.0.1:43123/webhooks",
  publicUrl: null,
  forwardUrl: "http://localhost:3000/webhooks",
  endpointId: null,
  secret: "whsec_abcdefghijklmnopqrstuvwxyzK3JQ",
  events: [],
};

/** A session stand-in: tests push records through it and see what the view asked for. */
export class FakeSource implements ListenViewSource {
  readonly info: SessionInfo;
  readonly replayed: number[] = [];
  replayError: Error | null = null;
  private listeners = new Set<(record: DeliveryRecord) => void>();

  constructor(info: Partial<SessionInfo> = {}) {
    this.info = { ...SESSION, ...info };
  }

  subscribe(listener: (record: DeliveryRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(record: DeliveryRecord): void {
    for (const listener of this.listeners) listener(record);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  async replay(record: DeliveryRecord): Promise<void> {
    this.replayed.push(record.seq);
    if (this.replayError) throw this.replayError;
  }
}
