import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Endpoint } from "../../src/api/types.js";
import { JournalWriter, loadDataDir } from "../../src/emulator/journal.js";
import { edit, EmulatorStore } from "../../src/emulator/store.js";

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

  it("without a data folder durable() resolves at once", async () => {
    const store = EmulatorStore.open();
    store.change((state) => edit.putEndpoint(state, endpoint("we_a")));
    await expect(store.durable()).resolves.toBeUndefined();
  });
});
