import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runCli, startCli, tempConfigDir, type RunningCli } from "../helpers/cli.js";
import { apiFor, sequence, startReceiver, type Receiver } from "./helpers.js";

let running: RunningCli | undefined;
let config: { dir: string; cleanup: () => void };
let receiver: Receiver;
let failing: Receiver;

beforeAll(async () => {
  config = tempConfigDir();
  receiver = await startReceiver(sequence(200));
  failing = await startReceiver(sequence(503));
});
afterAll(async () => {
  config.cleanup();
  await receiver.close();
  await failing.close();
});
afterEach(async () => {
  await running?.stop("SIGKILL");
  running = undefined;
});

/** The one line `--json` prints at start. */
const JSON_LINE = /^\{"url":.*\}$/m;
const env = (extra: NodeJS.ProcessEnv = {}) => cleanEnv({ FANFARE_CONFIG_DIR: config.dir, ...extra });

describe("fanfare webhooks emulator", () => {
  it("prints its URL, the key in full and an export line; SIGINT stops it with 130", async () => {
    running = startCli(["webhooks", "emulator", "--port", "0"], { env: env() });
    const [, url, key] = await running.waitFor(/^export FANFARE_API_BASE=(http:\/\/127\.0\.0\.1:\d+\/api) FANFARE_SECRET_KEY=(sk_test_\S+)$/m);
    expect(running.stdout()).toContain(`admin API on ${url}\n`);
    expect(running.stdout()).toContain(`API key: ${key}\n`);
    expect((await apiFor(url!, key!)("GET", "/webhooks")).status).toBe(200);
    expect(await running.stop("SIGINT")).toMatchObject({ code: 130 });
    expect(running.stderr()).toMatch(/emulator stopped \(SIGINT\)/);
  });

  it("--json prints one line {url, apiKey}; --api-key fixes the key; --verbose logs requests; SIGTERM exits 130", async () => {
    running = startCli(["webhooks", "emulator", "--port", "0", "--json", "--verbose", "--api-key", "sk_test_fixed"], { env: env() });
    const line = JSON.parse((await running.waitFor(JSON_LINE))[0]);
    expect(line).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/api$/), apiKey: "sk_test_fixed" });
    expect((await apiFor(line.url, "sk_test_fixed")("GET", "/webhooks")).status).toBe(200);
    await running.waitFor(/GET \/api\/webhooks → 200 \d+ ms/);
    expect(await running.stop("SIGTERM")).toMatchObject({ code: 130 });
    expect(running.stdout().trim().split("\n")).toHaveLength(1);
  });

  it("bad flags → exit 2 with one line and a hint", async () => {
    for (const [args, message] of [
      [["--port", "99999"], /^error: --port must be a whole number from 0 to 65535, not "99999"\nhint: /],
      [["--time-scale", "0"], /^error: --time-scale must be a positive number, not "0"\nhint: /],
      [["--time-scale", "fast"], /^error: --time-scale must be a positive number/],
      [["--bogus"], /unknown option/],
    ] as const) {
      const r = await runCli(["webhooks", "emulator", ...args], { env: env() });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it("an --api-key with a control character (ESC, BEL, DEL, C1) or whitespace → exit 2 naming it; nothing starts, nothing raw is printed", async () => {
    for (const [key, what] of [
      ["sk_test_\u001b]0;pwned\u0007", "a control character (U+001B)"],
      ["sk_test_bell\u0007", "a control character (U+0007)"],
      ["sk_test_del\u007f", "a control character (U+007F)"],
      ["sk_test_csi\u009b2J", "a control character (U+009B)"],
      ["sk_test a", "whitespace (U+0020)"],
    ] as const) {
      const r = await runCli(["webhooks", "emulator", "--port", "0", "--api-key", key], { env: env() });
      expect(r.code, JSON.stringify(key)).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`error: --api-key contains ${what}\nhint: pass letters, digits and punctuation only, e.g. --api-key sk_test_local\n`);
    }
  });

  it("a port in use → exit 2 naming it, as listen's --port", async () => {
    running = startCli(["webhooks", "emulator", "--port", "0", "--json"], { env: env() });
    const { url } = JSON.parse((await running.waitFor(JSON_LINE))[0]);
    const port = new URL(url).port;
    const r = await runCli(["webhooks", "emulator", "--port", port], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: --port ${port}: port ${port} is already in use on 127\\.0\\.0\\.1\\nhint: `));
  });

  it("--data-dir keeps state across a restart of the command", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "fanfare-emu-cmd-"));
    try {
      running = startCli(["webhooks", "emulator", "--port", "0", "--json", "--data-dir", dataDir], { env: env() });
      const first = JSON.parse((await running.waitFor(JSON_LINE))[0]);
      const created = await apiFor(first.url, first.apiKey)("POST", "/webhooks", { url: receiver.url, events: ["order.created"] });
      expect(created.status).toBe(201);
      // A second emulator on the folder while the first runs: refused before it loads or serves.
      const twice = await runCli(["webhooks", "emulator", "--port", "0", "--data-dir", dataDir], { env: env() });
      expect(twice.code).toBe(2);
      expect(twice.stderr).toMatch(/^error: --data-dir .* is in use by another emulator \(pid \d+\)\nhint: stop that one first/);
      expect(await running.stop("SIGTERM")).toMatchObject({ code: 130 });

      running = startCli(["webhooks", "emulator", "--port", "0", "--json", "--data-dir", dataDir], { env: env() });
      const second = JSON.parse((await running.waitFor(JSON_LINE))[0]);
      expect(second.apiKey).toBe(first.apiKey);
      const list = await apiFor(second.url, second.apiKey)("GET", "/webhooks");
      expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([created.body.id]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("fanfare webhooks trigger --endpoint", () => {
  it("sends through the test route, prints the delivery id and its outcome; exit 1 when it failed", async () => {
    running = startCli(["webhooks", "emulator", "--port", "0", "--json", "--time-scale", "100000"], { env: env() });
    const { url, apiKey } = JSON.parse((await running.waitFor(JSON_LINE))[0]);
    const api = apiFor(url, apiKey);
    const ok = (await api("POST", "/webhooks", { url: receiver.url, events: ["draw.consumer.won"] })).body;
    const bad = (await api("POST", "/webhooks", { url: failing.url, events: ["draw.consumer.won"] })).body;
    const cliEnv = env({ FANFARE_API_BASE: url, FANFARE_SECRET_KEY: apiKey });

    const before = receiver.received.length;
    const r = await runCli(["webhooks", "trigger", "draw.consumer.won", "--endpoint", ok.id, "--set", "data.winnerPosition=7", "--set", "data.consumerId=12345"], { env: cliEnv });
    expect(r.code, r.stderr).toBe(0);
    const id = /^--> draw\.consumer\.won \[(whk_\S+)\] to we_\S+$/m.exec(r.stdout)![1];
    expect(r.stdout).toMatch(new RegExp(`^<-- \\[200\\] succeeded after 1 attempt \\[${id}\\]$`, "m"));
    expect(JSON.parse(receiver.received[before]!.body.toString())).toMatchObject({ id, data: { winnerPosition: 7, consumerId: "12345" } });

    expect(r.stdout).toMatch(/^1 sent, 1 ok, 0 failed in /m);
    const f = await runCli(["webhooks", "trigger", "draw.consumer.won", "--endpoint", bad.id, "--json"], { env: cliEnv });
    expect(f.code).toBe(1);
    // trigger's NDJSON, as without --endpoint: a line per delivery, then the summary.
    const [delivery, summary] = f.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(delivery).toEqual({
      event: "draw.consumer.won",
      id: expect.stringMatching(/^whk_/),
      url: failing.url,
      status: 503,
      ok: false,
      durationMs: expect.any(Number),
      error: null,
      deliveryStatus: "permanently_failed",
      attempts: 6,
    });
    expect(summary).toMatchObject({ summary: { planned: 1, sent: 1, ok: 0, failed: 1, statuses: { "503": 1 } } });
    expect(f.stderr).toMatch(/^\{"error":\{"code":"delivery_failed"/);

    const clash = await runCli(["webhooks", "trigger", "draw.consumer.won", "--endpoint", ok.id, "--forward-to", "http://localhost:1"], { env: cliEnv });
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/^error: --forward-to does not go with --endpoint/);
    const envelope = await runCli(["webhooks", "trigger", "draw.consumer.won", "--endpoint", ok.id, "--set", "id=x"], { env: cliEnv });
    expect(envelope.code).toBe(2);
    expect(envelope.stderr).toMatch(/^error: --set id=… would change the envelope, which the platform sets$/m);
  });
});
