import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Endpoint } from "../../src/api/types.js";
import { journalFile, JournalWriter, loadDataDir, SNAPSHOT_FILE } from "../../src/emulator/journal.js";
import { applyAttempt, newDeliveryRecord } from "../../src/emulator/records.js";
import { edit, EmulatorStore } from "../../src/emulator/store.js";
import { waitUntil } from "../helpers/wait.js";

let dir: string;
let stores: EmulatorStore[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fanfare-store-"));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(stores.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

function open(): EmulatorStore {
  const store = EmulatorStore.open(dir);
  stores.push(store);
  return store;
}

const endpoint = (id: string): Endpoint => ({
  id,
  url: "https://example.com/h",
  events: ["order.created"],
  description: null,
  enabled: true,
  secret: "whsec_0123456789abcdef",
  createdAt: "2026-11-30T00:00:00.000Z",
  updatedAt: "2026-11-30T00:00:00.000Z",
});

describe("EmulatorStore with a data folder", () => {
  it("group commit: the changes of one turn share one write and one flush; durable() waits for it", async () => {
    const store = open();
    const write = vi.spyOn(JournalWriter.prototype, "write");
    const sync = vi.spyOn(JournalWriter.prototype, "sync");
    for (let i = 0; i < 50; i++) store.change((state) => edit.putEndpoint(state, endpoint(`we_${i}`)));
    // Nothing is written within the turn that made the changes.
    expect(write).not.toHaveBeenCalled();
    await store.durable();
    expect(write).toHaveBeenCalledTimes(1);
    expect(sync).toHaveBeenCalledTimes(1);
    expect(loadDataDir(dir, false).state.endpoints).toHaveLength(50);
  });

  it("a delivery created and attempted before anyone waits is written once, in its place in the log", async () => {
    const store = open();
    store.change((state) => edit.putEndpoint(state, endpoint("we_a")));
    await store.durable();
    const write = vi.spyOn(JournalWriter.prototype, "write");
    const sync = vi.spyOn(JournalWriter.prototype, "sync");
    const record = (id: string) =>
      newDeliveryRecord({ id, endpointId: "we_a", eventType: "order.created", url: "https://example.com/h", body: "{}", now: new Date(0) });
    store.change((state) => edit.addDelivery(state, "we_a", record("whk_1")));
    store.change((state) => edit.addDelivery(state, "we_a", record("whk_2")));
    // A later turn: the first one's attempt ends, then its answer waits.
    await new Promise((r) => setImmediate(r));
    const attempted = applyAttempt(store.delivery("we_a", "whk_1")!, {
      result: { statusCode: 200, error: null, durationMs: 1, responseHeaders: {}, responseBody: "" },
      url: "https://example.com/h",
      requestHeaders: {},
      startedAt: new Date(0),
      now: new Date(0),
      timeScale: 1,
    });
    store.change((state) => edit.putDelivery(state, "we_a", attempted));
    await store.durable();
    expect(write).toHaveBeenCalledTimes(1);
    expect(sync).toHaveBeenCalledTimes(1);
    const lines = String(write.mock.calls[0]![0]).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.value.delivery.id, l.value.delivery.status])).toEqual([
      ["whk_1", "succeeded"],
      ["whk_2", "pending"],
    ]);
    // Newest first, as served.
    expect(loadDataDir(dir, false).state.deliveries.we_a!.map((r) => [r.delivery.id, r.delivery.status])).toEqual([
      ["whk_2", "pending"],
      ["whk_1", "succeeded"],
    ]);
  });

  it("a change nobody waits for (a retry's attempt) is written soon all the same", async () => {
    const store = open();
    store.change((state) => edit.putEndpoint(state, endpoint("we_unawaited")));
    const journal = join(dir, journalFile(1));
    await waitUntil(() => statSync(journal).size > 0, 5_000, "the unawaited change in the journal");
    expect(loadDataDir(dir, false).state.endpoints.map((e) => e.id)).toEqual(["we_unawaited"]);
  });

  it("a flush that fails: the waiter is refused and memory goes back to what the disk holds", async () => {
    const store = open();
    store.change((state) => edit.putEndpoint(state, endpoint("we_kept")));
    await store.durable();
    vi.spyOn(JournalWriter.prototype, "sync").mockRejectedValueOnce(Object.assign(new Error("no space left on device"), { code: "ENOSPC" }));
    store.change((state) => edit.putEndpoint(state, endpoint("we_lost")));
    expect(store.endpoint("we_lost")).toBeDefined();
    await expect(store.durable()).rejects.toThrow(/could not write to .*: no space left on device/);
    expect(store.endpoints().map((e) => e.id)).toEqual(["we_kept"]);
    // The store goes on: the next change is written and survives.
    store.change((state) => edit.putEndpoint(state, endpoint("we_next")));
    await store.durable();
    expect(loadDataDir(dir, false).state.endpoints.map((e) => e.id)).toEqual(["we_kept", "we_next"]);
  });

  it("a state larger than one read (8 MB) goes through the journal, a compaction and a load intact", async () => {
    const store = open();
    store.change((state) => edit.putEndpoint(state, endpoint("we_big")));
    const body = "x".repeat(200_000);
    for (let i = 0; i < 60; i++) {
      const record = newDeliveryRecord({ id: `whk_${i}`, endpointId: "we_big", eventType: "order.created", url: "https://example.com/h", body, now: new Date(0) });
      store.change((state) => edit.addDelivery(state, "we_big", record));
      await store.durable();
    }
    await store.close();
    stores = [];
    // Compacted on the way (journal over 1 MB and over the snapshot): the snapshot holds most of it.
    expect(statSync(join(dir, SNAPSHOT_FILE)).size).toBeGreaterThan(8 << 20);
    const loaded = loadDataDir(dir).state;
    expect(loaded.deliveries.we_big!.map((r) => r.delivery.id)).toEqual(Array.from({ length: 60 }, (_, i) => `whk_${59 - i}`));
    expect(loaded.deliveries.we_big!.every((r) => r.delivery.request.body === body)).toBe(true);
  }, 30_000);

  it("without a data folder durable() resolves at once", async () => {
    const store = EmulatorStore.open();
    store.change((state) => edit.putEndpoint(state, endpoint("we_a")));
    await expect(store.durable()).resolves.toBeUndefined();
  });
});
