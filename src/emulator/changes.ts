import type { Endpoint } from "../api/types.js";
import type { DeliveryRecord, EmulatorState } from "./persist.js";
import { addNewest } from "./records.js";

/**
 * One change to the emulator's state, as the journal stores it (one NDJSON line each). Records
 * carry whole values, not field edits, so a field added to an endpoint or a delivery passes through
 * the journal without a change here; the state-shape check (state-shape.ts) validates them on load.
 */
export type Change =
  | { op: "put"; kind: "endpoint"; value: Endpoint }
  | { op: "delete"; kind: "endpoint"; id: string }
  | { op: "put"; kind: "delivery"; value: DeliveryRecord }
  | { op: "put"; kind: "apiKey"; value: string };

/** What applying a change displaced: deliveries that no longer exist (their timers must go). */
export interface Applied {
  removed: DeliveryRecord[];
}

/**
 * Applies one change to `state` in place. The same function serves a live change and a replay of
 * the journal at start, so what is loaded is by construction what was served. Putting a delivery
 * replaces it in its log when it is there and otherwise adds it as the newest (the oldest past the
 * limit dropped); deleting an endpoint removes its log too.
 */
export function applyChange(state: EmulatorState, change: Change): Applied {
  switch (change.kind) {
    case "endpoint": {
      if (change.op === "delete") {
        state.endpoints = state.endpoints.filter((e) => e.id !== change.id);
        const removed = logOf(state, change.id) ?? [];
        delete state.deliveries[change.id];
        return { removed };
      }
      const i = state.endpoints.findIndex((e) => e.id === change.value.id);
      if (i >= 0) state.endpoints[i] = change.value;
      else state.endpoints.push(change.value);
      return { removed: [] };
    }
    case "delivery": {
      const record = change.value;
      const endpointId = record.delivery.endpointId;
      const list = logOf(state, endpointId);
      const i = list?.findIndex((r) => r.delivery.id === record.delivery.id) ?? -1;
      if (list && i >= 0) {
        list[i] = record;
        return { removed: [] };
      }
      const { list: kept, dropped } = addNewest(list ?? [], record);
      // Defined rather than assigned: an id read from a file could be "__proto__".
      Object.defineProperty(state.deliveries, endpointId, { value: kept, writable: true, enumerable: true, configurable: true });
      return { removed: dropped };
    }
    case "apiKey":
      state.generatedApiKey = change.value;
      return { removed: [] };
  }
}

/**
 * The changes that rebuild `state` from nothing: the key, every endpoint, then each log oldest
 * first (each put adds the newest, so the order comes back as it was). What a snapshot holds.
 */
export function* changesOf(state: EmulatorState): Generator<Change> {
  if (state.generatedApiKey) yield { op: "put", kind: "apiKey", value: state.generatedApiKey };
  for (const endpoint of state.endpoints) yield { op: "put", kind: "endpoint", value: endpoint };
  for (const list of Object.values(state.deliveries)) {
    for (let i = list.length - 1; i >= 0; i--) yield { op: "put", kind: "delivery", value: list[i]! };
  }
}

/**
 * A copy of `state` that later changes do not reach, made in time proportional to the number of
 * records, not their size: records are replaced on change, never edited in place (records.ts
 * returns new ones), so copying the lists that hold them is enough.
 */
export function frozenCopy(state: EmulatorState): EmulatorState {
  const deliveries: Record<string, DeliveryRecord[]> = {};
  for (const [id, list] of Object.entries(state.deliveries)) deliveries[id] = list.slice();
  return { ...state, endpoints: state.endpoints.slice(), deliveries };
}

/** An endpoint's delivery log; own keys only, since endpoint ids come from URLs ("__proto__"). */
export function logOf(state: EmulatorState, endpointId: string): DeliveryRecord[] | undefined {
  return Object.hasOwn(state.deliveries, endpointId) ? state.deliveries[endpointId] : undefined;
}
