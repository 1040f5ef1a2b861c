import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { journalFile, loadDataDir, SNAPSHOT_FILE } from "../../src/emulator/journal.js";
import { STATE_FILE } from "../../src/emulator/persist.js";
import { cleanEnv, runCli, startCli } from "../helpers/cli.js";
import { apiFor, startReceiver, type Receiver } from "./helpers.js";

const KEY = "sk_test_journalKey0123456789";
let dir: string;
let running: RunningEmulator[] = [];
let receivers: Receiver[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fanfare-journal-"));
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
const endpointBody = (i: number) => ({ url: `https://example.com/${i}`, events: ["order.created"] });

/** A folder with two endpoints made through the API, the emulator stopped; returns their ids. */
async function folderWithTwoEndpoints(): Promise<string[]> {
  const e = await start();
  const api = apiFor(e.url, KEY);
  const ids = [(await api("POST", "/webhooks", endpointBody(1))).body.id, (await api("POST", "/webhooks", endpointBody(2))).body.id];
  await stop(e);
  return ids;
}

/** Every file of the folder and its bytes, to check a refusal left them as they were. */
function filesOf(folder: string): Record<string, string> {
  return Object.fromEntries(readdirSync(folder).map((name) => [name, readFileSync(join(folder, name), "latin1")]));
}

describe("the journal", () => {
  it("50 concurrent creates (sharing writes): every one on disk before its answer", async () => {
    const e = await start();
    const api = apiFor(e.url, KEY);
    const created = await Promise.all(Array.from({ length: 50 }, (_, i) => api("POST", "/webhooks", endpointBody(i))));
    expect(created.every((r) => r.status === 201)).toBe(true);
    const onDisk = loadDataDir(dir, false).state.endpoints.map((x) => x.id).sort();
    expect(onDisk).toEqual(created.map((r) => r.body.id).sort());
  });

  it("a torn last record is dropped with a one-line notice, and the file is cut back so appends go on cleanly", async () => {
    const ids = await folderWithTwoEndpoints();
    const journal = join(dir, journalFile(1));
    const whole = readFileSync(journal, "utf8");
    appendFileSync(journal, '{"op":"put","kind":"endpoint","value":{"id":"we_torn","url":"https://exa');

    const e = await start();
    expect(e.notices).toEqual([expect.stringMatching(/^dropped an unfinished last record of .*emulator-journal-000001\.ndjson \(\d+ bytes\)/)]);
    expect(readFileSync(journal, "utf8")).toBe(whole);
    const api = apiFor(e.url, KEY);
    expect((await api("GET", "/webhooks")).body.data.map((x: { id: string }) => x.id)).toEqual(ids);
    const third = (await api("POST", "/webhooks", endpointBody(3))).body.id;
    await stop(e);
    expect(loadDataDir(dir).state.endpoints.map((x) => x.id)).toEqual([...ids, third]);
  });

  it("the command prints the notice on stderr and serves", async () => {
    await folderWithTwoEndpoints();
    appendFileSync(join(dir, journalFile(1)), '{"op":"put"');
    const cli = startCli(["webhooks", "emulator", "--port", "0", "--json", "--api-key", KEY, "--data-dir", dir], { env: cleanEnv() });
    try {
      await cli.waitFor(/\{"url".*\}/);
      expect(cli.stderr()).toMatch(/dropped an unfinished last record of .*emulator-journal-000001\.ndjson/);
    } finally {
      await cli.stop("SIGTERM");
    }
  });

  for (const [what, damage, named] of [
    ["garbage in the middle of the journal", (f: string) => writeFileSync(join(f, journalFile(1)), '{"op":"put"\nnot json\n'), /emulator-journal-000001\.ndjson line 1 cannot be used \(not a JSON record\)/],
    [
      "a journal record of the wrong shape",
      (f: string) => appendFileSync(join(f, journalFile(1)), '{"op":"put","kind":"endpoint","value":{"id":"we_x","url":7}}\n'),
      /emulator-journal-000001\.ndjson line 3 cannot be used \(endpoint record: has no url string\)/,
    ],
    [
      "a delivery record of the wrong shape",
      (f: string) => appendFileSync(join(f, journalFile(1)), '{"op":"put","kind":"delivery","value":{"runStart":0,"delivery":null}}\n'),
      /line 3 cannot be used \(delivery record: has no delivery object\)/,
    ],
    ["an unknown kind of record", (f: string) => appendFileSync(join(f, journalFile(1)), '{"op":"drop","kind":"table"}\n'), /line 3 cannot be used \(not a known change/],
    ["garbage in the snapshot", (f: string) => writeFileSync(join(f, SNAPSHOT_FILE), "\u0000\u0000garbage\n"), /emulator-snapshot\.ndjson line 1 cannot be used \(not a JSON record\)/],
    [
      "a snapshot cut short",
      (f: string) => writeFileSync(join(f, SNAPSHOT_FILE), readFileSync(join(f, SNAPSHOT_FILE), "utf8").split("\n").slice(0, -2).join("\n") + "\n"),
      /emulator-snapshot\.ndjson cannot be used \(it ends before its last record\)/,
    ],
    ["a journal without its snapshot", (f: string) => rmSync(join(f, SNAPSHOT_FILE)), /emulator-journal-000001\.ndjson cannot be used \(there is no emulator-snapshot\.ndjson beside it\)/],
    [
      "a snapshot that names a later journal than the one there (loading would delete it)",
      (f: string) => writeFileSync(join(f, SNAPSHOT_FILE), readFileSync(join(f, SNAPSHOT_FILE), "utf8").replace('"journal":1}', '"journal":99}')),
      /emulator-snapshot\.ndjson line 1 cannot be used \(it names journal 99, which is missing, while emulator-journal-000001\.ndjson is there\)/,
    ],
  ] as const) {
    it(`${what}: refused by name (exit 2), every file left as it was`, async () => {
      await folderWithTwoEndpoints();
      damage(dir);
      const before = filesOf(dir);
      const r = await runCli(["webhooks", "emulator", "--port", "0", "--data-dir", dir], { env: cleanEnv() });
      expect(r.code).toBe(2);
      expect(r.stdout).not.toMatch(/admin API on/);
      expect(r.stderr).toMatch(named);
      expect(r.stderr).toContain(dir);
      expect(filesOf(dir)).toEqual(before);
    });
  }

  it("the old single-file state is read and migrated once: data, key and pending retries carry over", async () => {
    const endpoint = {
      id: "we_old",
      url: "https://example.com/h",
      events: ["order.created"],
      description: null,
      enabled: true,
      secret: "whsec_oldSecret0123456789",
      createdAt: "2026-11-30T00:00:00.000Z",
      updatedAt: "2026-11-30T00:00:00.000Z",
    };
    const delivery = {
      id: "whk_old",
      endpointId: "we_old",
      eventType: "order.created",
      status: "succeeded",
      attempt: 1,
      createdAt: "2026-11-30T00:00:00.000Z",
      updatedAt: "2026-11-30T00:00:00.000Z",
      nextAttemptAt: null,
      request: { url: "https://example.com/h", headers: {}, body: "{}" },
      response: { statusCode: 200, headers: {}, body: "ok" },
      error: null,
      durationMs: 3,
      attempts: [],
    };
    const old = { version: 1, endpoints: [endpoint], deliveries: { we_old: [{ delivery, runStart: 0 }] }, generatedApiKey: "sk_test_oldGenerated0000" };
    writeFileSync(join(dir, STATE_FILE), JSON.stringify(old));

    const first = await start({ apiKeys: undefined });
    expect(first.apiKey).toBe("sk_test_oldGenerated0000");
    expect(first.notices).toEqual([expect.stringMatching(/^migrated .*emulator-state\.json to a snapshot and journal/)]);
    expect(existsSync(join(dir, STATE_FILE))).toBe(false);
    const api = apiFor(first.url, first.apiKey);
    expect((await api("GET", "/webhooks/we_old/deliveries/whk_old")).body).toEqual(delivery);
    await stop(first);

    // Once: the next start has nothing to migrate and the same state.
    const second = await start({ apiKeys: undefined });
    expect(second.notices).toEqual([]);
    expect((await apiFor(second.url, second.apiKey)("GET", "/webhooks/we_old")).body.url).toBe(endpoint.url);
  });

  it("compaction under load: nothing lost, answers keep coming, the journal starts afresh", async () => {
    const r = await startReceiver(() => ({ status: 200 }));
    receivers.push(r);
    // Compaction as soon as the journal passes 20 KB (and the snapshot): many times in this test.
    const e = await start({ compactMinBytes: 20_000 });
    const api = apiFor(e.url, KEY);
    const endpoints: string[] = [];
    for (let i = 0; i < 10; i++) endpoints.push((await api("POST", "/webhooks", { url: r.url, events: ["order.created"] })).body.id);
    const generations = new Set<string>();
    const sent: Array<{ endpoint: string; id: string }> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 400) {
          const endpoint = endpoints[next++ % endpoints.length]!;
          const answer = await api("POST", `/webhooks/${endpoint}/test`, { eventType: "order.created" });
          expect(answer.status).toBe(201);
          sent.push({ endpoint, id: answer.body.id });
          for (const name of readdirSync(dir)) if (name.startsWith("emulator-journal-")) generations.add(name);
        }
      }),
    );
    // Compacted more than once while the answers came.
    expect(generations.size).toBeGreaterThan(2);
    await stop(e);
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    const state = loadDataDir(dir).state;
    for (const { endpoint, id } of sent) {
      expect(state.deliveries[endpoint]!.find((x) => x.delivery.id === id)?.delivery.status).toBe("succeeded");
    }

    const again = await start();
    expect((await apiFor(again.url, KEY)("GET", `/webhooks/${endpoints[0]}/deliveries`)).body.data).toHaveLength(40);
  }, 60_000);

  describe("a crash during compaction leaves a folder that loads whole", () => {
    const endpoint = (id: string) => ({
      op: "put",
      kind: "endpoint",
      value: { id, url: "https://example.com/h", events: ["order.created"], description: null, enabled: true, secret: "whsec_0123456789abcdef", createdAt: "2026-11-30T00:00:00.000Z", updatedAt: "2026-11-30T00:00:00.000Z" },
    });
    const lines = (...records: unknown[]) => records.map((r) => JSON.stringify(r) + "\n").join("");
    const snapshot = (generation: number, ...records: unknown[]) => lines({ snapshot: 1, journal: generation }, ...records, { end: records.length });

    it("before the new snapshot was in place: the old one, both journals, a temp file", () => {
      writeFileSync(join(dir, SNAPSHOT_FILE), snapshot(1, endpoint("we_a")));
      writeFileSync(join(dir, journalFile(1)), lines(endpoint("we_b")));
      writeFileSync(join(dir, journalFile(2)), lines({ op: "delete", kind: "endpoint", id: "we_a" }, endpoint("we_c")));
      writeFileSync(join(dir, SNAPSHOT_FILE + ".tmp"), snapshot(2, endpoint("we_a")).slice(0, 40));
      const loaded = loadDataDir(dir);
      expect(loaded.state.endpoints.map((e) => e.id)).toEqual(["we_b", "we_c"]);
      expect(loaded.generation).toBe(2);
      expect(loaded.notices).toEqual([]);
      expect(readdirSync(dir).sort()).toEqual([journalFile(1), journalFile(2), SNAPSHOT_FILE]);
    });

    it("after it, before the old journal was removed: that journal is ignored and removed", () => {
      writeFileSync(join(dir, SNAPSHOT_FILE), snapshot(2, endpoint("we_b")));
      writeFileSync(join(dir, journalFile(1)), lines(endpoint("we_b"), endpoint("we_gone")));
      writeFileSync(join(dir, journalFile(2)), lines(endpoint("we_c")));
      const loaded = loadDataDir(dir);
      expect(loaded.state.endpoints.map((e) => e.id)).toEqual(["we_b", "we_c"]);
      expect(readdirSync(dir).sort()).toEqual([journalFile(2), SNAPSHOT_FILE]);
    });
  });
});
