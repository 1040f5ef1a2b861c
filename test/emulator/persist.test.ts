import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { journalFile, loadDataDir, SNAPSHOT_FILE } from "../../src/emulator/journal.js";
import { apiFor, pause, sequence, startReceiver, waitUntil, type Receiver } from "./helpers.js";
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
    expect(readdirSync(nested).sort()).toEqual([journalFile(1), SNAPSHOT_FILE]);
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

