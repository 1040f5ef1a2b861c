import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DeliveryEngine, type Sender } from "../../src/emulator/engine.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { journalFile, loadDataDir, SNAPSHOT_FILE } from "../../src/emulator/journal.js";
import { apiFor, freePort, pause, sequence, startReceiver, waitUntil, type Receiver } from "./helpers.js";
import { signedWith } from "../helpers/signatures.js";

const KEY = "sk_test_persistKey0123456789";
let dir: string;
let running: RunningEmulator[] = [];
let receivers: Receiver[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fanfare-emulator-"));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startEmulator>[0] = {}): Promise<RunningEmulator> {
  const e = await startEmulator({ port: 0, dataDir: dir, apiKeys: [KEY], timeScale: 100_000, ...options });
  running.push(e);
  return e;
}
async function stop(e: RunningEmulator): Promise<void> {
  await e.close();
  running = running.filter((x) => x !== e);
}
/** What a start would load from the folder now (without removing a compaction's temp file). */
const stateOnDisk = (folder = dir) => loadDataDir(folder, false).state;

describe("persistence with a data folder", () => {
  it("endpoints (secrets included) and the delivery log survive a restart", async () => {
    const r = await startReceiver(sequence(200));
    receivers.push(r);
    const first = await start();
    const api1 = apiFor(first.url, KEY);
    const ep = (await api1("POST", "/webhooks", { url: r.url, events: ["order.created"] })).body;
    const d = (await api1("POST", `/webhooks/${ep.id}/test`, { eventType: "order.created" })).body;
    await stop(first);

    const second = await start();
    const api2 = apiFor(second.url, KEY);
    expect((await api2("GET", `/webhooks/${ep.id}`)).body).toMatchObject({ id: ep.id, url: r.url, events: ["order.created"] });
    expect((await api2("GET", `/webhooks/${ep.id}/deliveries/${d.id}`)).body).toMatchObject({ status: "succeeded", attempt: 1 });
    // The secret is the same one: a redelivery still verifies with what create returned.
    await api2("POST", `/webhooks/${ep.id}/deliveries/${d.id}/redeliver`);
    expect(signedWith(ep.secret, r.received[1]!)).toBe(true);
  });

  it("the files are 0600 in a 0700 folder, and the journal holds each change before the answer", async () => {
    const nested = join(dir, "state");
    const e = await start({ dataDir: nested });
    const ep = (await apiFor(e.url, KEY)("POST", "/webhooks", { url: "https://example.com/h", events: ["order.created"] })).body;
    // Read straight after the 201, with the emulator still running: the write came first.
    expect(stateOnDisk(nested).endpoints.map((x) => x.id)).toEqual([ep.id]);
    const journal = readFileSync(join(nested, journalFile(1)), "utf8");
    expect(journal.trim().split("\n").map((line) => JSON.parse(line))).toEqual([{ op: "put", kind: "endpoint", value: ep }]);
    // The lock names the emulator that holds the folder while it runs.
    expect(readdirSync(nested).sort()).toEqual([journalFile(1), SNAPSHOT_FILE, "emulator.lock"]);
    for (const name of readdirSync(nested)) expect(statSync(join(nested, name)).mode & 0o777).toBe(0o600);
    expect(statSync(nested).mode & 0o777).toBe(0o700);
  });

  it("a generated key is kept, so the exported key works after a restart", async () => {
    const first = await start({ apiKeys: undefined });
    await stop(first);
    const second = await start({ apiKeys: undefined });
    expect(second.apiKey).toBe(first.apiKey);
    expect((await apiFor(second.url, first.apiKey)("GET", "/webhooks")).status).toBe(200);
  });

  it("pending retries resume after a restart", async () => {
    const r = await startReceiver(sequence(503, 200));
    receivers.push(r);
    // 1 min ÷ 200 = 300 ms: the retry is still pending when the first emulator stops.
    const first = await start({ timeScale: 200 });
    const api1 = apiFor(first.url, KEY);
    const ep = (await api1("POST", "/webhooks", { url: r.url, events: ["order.created"] })).body;
    const d = (await api1("POST", `/webhooks/${ep.id}/test`, { eventType: "order.created" })).body;
    expect(d.status).toBe("retrying");
    await stop(first);
    // A wait, not a poll: the retry was due by now, and a stopped emulator must not have sent it.
    await pause(400);
    expect(r.received).toHaveLength(1);

    const second = await start({ timeScale: 200 });
    expect(second.resumed).toBe(1);
    const api2 = apiFor(second.url, KEY);
    const done = await waitUntil(async () => {
      const x = (await api2("GET", `/webhooks/${ep.id}/deliveries/${d.id}`)).body;
      return x.status === "succeeded" ? x : undefined;
    });
    expect(done.attempt).toBe(2);
    expect(r.received).toHaveLength(2);
    expect(r.received[1]!.body.equals(r.received[0]!.body)).toBe(true);
  });

  it("a resume that fails lets go of everything the start took: the port, the sender, the data folder", async () => {
    // A retry pending in the folder (due in a minute), so the resume has a timer to set before it fails.
    const r = await startReceiver(sequence(503));
    receivers.push(r);
    const first = await start({ timeScale: 1 });
    const api1 = apiFor(first.url, KEY);
    const ep = (await api1("POST", "/webhooks", { url: r.url, events: ["order.created"] })).body;
    expect((await api1("POST", `/webhooks/${ep.id}/test`, { eventType: "order.created" })).body.status).toBe("retrying");
    await stop(first);

    const port = await freePort();
    const closed: string[] = [];
    const sender: Sender = {
      send: () => Promise.reject(new Error("no attempt may start")),
      close: async () => void closed.push("sender"),
    };
    const realResume = DeliveryEngine.prototype.resume;
    const resume = vi.spyOn(DeliveryEngine.prototype, "resume").mockImplementationOnce(function (this: DeliveryEngine, endpointId) {
      realResume.call(this, endpointId);
      throw new Error("resume failed");
    });
    try {
      await expect(startEmulator({ port, dataDir: dir, apiKeys: [KEY], timeScale: 1, sender })).rejects.toThrow("resume failed");
      expect(resume).toHaveBeenCalledTimes(1);
    } finally {
      resume.mockRestore();
    }
    // Closed as close() closes: the engine (its sender with it) and the server, which no longer answers.
    expect(closed).toEqual(["sender"]);
    await expect(fetch(`http://127.0.0.1:${port}/api/webhooks`, { headers: { authorization: `Bearer ${KEY}` } })).rejects.toThrow();
    // Port and folder can be taken again at once, and the retry is still there to resume.
    const second = await start({ port, timeScale: 1 });
    expect(second.resumed).toBe(1);
    expect(r.received).toHaveLength(1);
  });

  it("a delete is durable too: the endpoint stays gone after a restart", async () => {
    const first = await start();
    const api1 = apiFor(first.url, KEY);
    const ep = (await api1("POST", "/webhooks", { url: "https://example.com/h", events: ["order.created"] })).body;
    expect((await api1("DELETE", `/webhooks/${ep.id}`)).status).toBe(204);
    expect(stateOnDisk().endpoints).toEqual([]);
    await stop(first);
    const second = await start();
    expect((await apiFor(second.url, KEY)("GET", `/webhooks/${ep.id}`)).status).toBe(404);
  });
});

