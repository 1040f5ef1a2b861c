import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApiClient, type ApiClient } from "../../src/api/client.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { createHttpClient, type HttpClientFactory } from "../../src/http/client.js";
import { cleanEnv, runCli, startCli, tempConfigDir, type RunningCli } from "../helpers/cli.js";
import { waitUntil } from "../helpers/wait.js";
import { contractHttp } from "../contract/http.js";
import { startReceiver, type Receiver } from "../emulator/helpers.js";

/**
 * `deliveries tail` without a terminal: NDJSON lines, against the real emulator at --time-scale 600
 * (a 1-minute retry takes 0.1 s). Every request tail makes, and every answer, is also held against
 * docs/admin-api.openapi.yaml.
 */

const KEY = "sk_test_tailKey0123456789ABCDEF";
const INTERVAL_MS = 200;
let emulator: RunningEmulator;
let api: ApiClient;
let config: { dir: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;
const receivers: Receiver[] = [];
const running: RunningCli[] = [];
const contract = contractHttp();

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, timeScale: 600, apiKeys: [KEY] });
  api = createApiClient({ baseUrl: emulator.url, apiKey: KEY });
  config = tempConfigDir();
  env = cleanEnv({ FANFARE_CONFIG_DIR: config.dir, FANFARE_API_BASE: emulator.url, FANFARE_SECRET_KEY: KEY });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop("SIGINT")));
  expect(contract.problems).toEqual([]);
});
afterAll(async () => {
  await api?.close();
  await emulator?.close();
  await Promise.all(receivers.map((r) => r.close()));
  config?.cleanup();
});

async function receiver(answer?: Receiver["answer"]): Promise<Receiver> {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

async function endpoint(answer?: Receiver["answer"]): Promise<string> {
  const r = await receiver(answer);
  return (await api.createEndpoint({ url: r.url, events: ["order.created", "draw.consumer.won"] })).id;
}

interface Line {
  time: string;
  endpoint: string;
  delivery: string;
  event: string;
  attempt: number;
  status: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number | null;
  nextAttemptAt: string | null;
}

const allLinesOf = (cli: RunningCli): Line[] =>
  cli
    .stdout()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

/**
 * The attempt lines. A poll may also catch a delivery between its creation and the end of its first
 * attempt, which prints it once as pending (attempt 0): right, but a matter of timing.
 */
const linesOf = (cli: RunningCli): Line[] => allLinesOf(cli).filter((l) => l.attempt > 0);

/** Starts a tail and waits for its first poll (stderr says so), so what follows is news to it. */
async function tail(args: string[], http: HttpClientFactory = contract.http): Promise<RunningCli> {
  const cli = startCli(["webhooks", "deliveries", "tail", ...args, "--interval", `${INTERVAL_MS}ms`], { env, http });
  running.push(cli);
  await cli.waitFor(/tailing/, 15_000);
  return cli;
}

const waitForLines = (cli: RunningCli, check: (lines: Line[]) => boolean, what: string) =>
  waitUntil(() => {
    const lines = linesOf(cli);
    return check(lines) ? lines : false;
  }, 15_000, `${what}\nstdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`);

describe("deliveries tail, NDJSON against the emulator", () => {
  it("a tail started before three test events prints all three, each within two poll intervals", async () => {
    const id = await endpoint();
    await api.sendTest(id, "order.created"); // before the tail: not news
    const firstRequest = contract.requests.length;
    const cli = await tail([id]);
    const sent: Array<{ id: string; at: number }> = [];
    const seen = new Map<string, number>();
    const watch = setInterval(() => {
      for (const l of linesOf(cli)) if (l.attempt === 1 && !seen.has(l.delivery)) seen.set(l.delivery, Date.now());
    }, 5);
    try {
      for (let i = 0; i < 3; i++) {
        const d = await api.sendTest(id, i === 1 ? "draw.consumer.won" : "order.created");
        sent.push({ id: d.id, at: Date.now() });
      }
      await waitUntil(() => sent.every((s) => seen.has(s.id)), 15_000, `three lines\n${cli.stdout()}`);
    } finally {
      clearInterval(watch);
    }
    const lines = linesOf(cli).filter((l) => l.attempt === 1);
    expect(lines.map((l) => l.delivery)).toEqual(sent.map((s) => s.id));
    for (const l of lines) {
      expect(l).toMatchObject({ endpoint: id, attempt: 1, status: "succeeded", statusCode: 200, error: null, nextAttemptAt: null });
    }
    expect(lines[1]!.event).toBe("draw.consumer.won");
    const lags = sent.map((s) => seen.get(s.id)! - s.at);
    console.log(`tail: lines appeared ${lags.join(", ")} ms after the test route answered (interval ${INTERVAL_MS} ms)`);
    // Within two poll intervals, with room for a loaded machine.
    for (const lag of lags) expect(lag).toBeLessThan(2 * INTERVAL_MS + 1500);
    // Only what changed: after the first poll (the whole log, to know what is old) every poll asks with since=.
    expect(await cli.stop("SIGINT")).toEqual({ code: 130, signal: null });
    const polls = contract.requests.slice(firstRequest).filter((r) => r.includes(`/webhooks/${id}/deliveries`));
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls[0]).not.toContain("since=");
    expect(polls.slice(1).every((r) => /[?&]since=2\d{3}-/.test(r))).toBe(true);
  });

  it("a receiver that fails then recovers: attempt 1 failed (retrying) is printed before attempt 2 succeeds", async () => {
    // The second answer is held back 1.5 s, so attempt 2 cannot end before attempt 1 has been printed.
    const id = await endpoint((n) => (n === 0 ? { status: 500 } : { status: 200, delayMs: 1500 }));
    const cli = await tail([id]);
    const sent = await api.sendTest(id, "order.created");
    expect(sent.status).toBe("retrying");
    const first = await waitForLines(cli, (ls) => ls.some((l) => l.attempt === 1), "attempt 1");
    expect(first.filter((l) => l.delivery === sent.id)).toEqual([
      expect.objectContaining({ attempt: 1, status: "retrying", statusCode: 500, nextAttemptAt: expect.any(String) }),
    ]);
    const both = await waitForLines(cli, (ls) => ls.some((l) => l.attempt === 2), "attempt 2");
    expect(both.map((l) => [l.attempt, l.status, l.statusCode])).toEqual([
      [1, "retrying", 500],
      [2, "succeeded", 200],
    ]);
  });

  it("--all follows every endpoint, also one created after the tail started", async () => {
    const a = await endpoint();
    const cli = await tail(["--all"]);
    const b = await endpoint();
    const da = await api.sendTest(a, "order.created");
    const db = await api.sendTest(b, "order.created");
    const lines = await waitForLines(cli, (ls) => ls.length >= 2, "two lines");
    expect(lines.map((l) => [l.endpoint, l.delivery]).sort()).toEqual([[a, da.id], [b, db.id]].sort());
  });

  it("--status failed prints only what left a delivery failed; --events filters by pattern", async () => {
    const ok = await endpoint();
    const refusing = await endpoint(() => ({ status: 400 }));
    const cli = await tail([ok, refusing, "--status", "failed"]);
    const drawOnly = await tail([ok, refusing, "--events", "draw.*"]);
    await api.sendTest(ok, "order.created");
    await api.sendTest(ok, "draw.consumer.won");
    const failed = await api.sendTest(refusing, "order.created");
    expect(failed.status).toBe("failed");
    const lines = await waitForLines(cli, (ls) => ls.length >= 1, "the failed one");
    const draws = await waitForLines(drawOnly, (ls) => ls.length >= 1, "the draw event");
    // One more poll: whatever else would be printed has been by then.
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_MS));
    expect(linesOf(cli)).toEqual([expect.objectContaining({ delivery: failed.id, endpoint: refusing, status: "failed", statusCode: 400 })]);
    expect(linesOf(drawOnly).map((l) => l.event)).toEqual(["draw.consumer.won"]);
    expect(lines.length + draws.length).toBe(2);
  });

  it("--since includes what changed shortly before the start", async () => {
    const id = await endpoint();
    const before = await api.sendTest(id, "order.created");
    const cli = await tail([id, "--since", "10m", "--json"]);
    expect(allLinesOf(cli).every((l) => l.attempt > 0 || l.status === "pending")).toBe(true);
    const lines = await waitForLines(cli, (ls) => ls.length >= 1, "the earlier delivery");
    expect(lines[0]).toMatchObject({ delivery: before.id, attempt: 1, status: "succeeded" });
    expect(cli.stderr()).toMatch(/^\{"tailing":\{"endpoints":\[/m);
  });
});

describe("deliveries tail when the API is in trouble", () => {
  /** The real HTTP layer, except that the admin API can be made to answer 429 or to refuse connections. */
  function troubledHttp() {
    const mode = { now: "ok" as "ok" | "429" | "down", refused: 0 };
    const http: HttpClientFactory = (options) => {
      const inner = createHttpClient(options);
      return {
        ...inner,
        ready: () => inner.ready(),
        close: () => inner.close(),
        destroy: () => inner.destroy(),
        async request(url, request) {
          if (mode.now === "429") {
            mode.refused++;
            const body = JSON.stringify({ error: { code: "rate_limited", message: "slow down" } });
            return { status: 429, headers: { "retry-after": "1", "content-type": "application/json" }, body: Buffer.from(body), truncated: false };
          }
          if (mode.now === "down") {
            mode.refused++;
            throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
          }
          return inner.request(url, request);
        },
      };
    };
    return { http, mode };
  }

  it("waits out a 429 by its Retry-After and an unreachable API with back-off, says so, and resumes", async () => {
    const id = await endpoint();
    const { http, mode } = troubledHttp();
    const cli = await tail([id], http);
    mode.now = "429";
    await cli.waitFor(/warning: rate limited by the API.*polling again in 1 s/, 10_000);
    const during = await api.sendTest(id, "order.created");
    mode.now = "down";
    await cli.waitFor(/warning: cannot reach .*connection refused.*polling again in/, 10_000);
    mode.now = "ok";
    await cli.waitFor(/warning: the API answers again; polling resumed/, 15_000);
    const lines = await waitForLines(cli, (ls) => ls.length >= 1, "the delivery sent while the API was away");
    expect(lines[0]).toMatchObject({ delivery: during.id, status: "succeeded" });
    expect(mode.refused).toBeGreaterThanOrEqual(2);
  });
});

describe("deliveries tail when an endpoint goes away", () => {
  it("says so, and exits 1 once every endpoint tailed was deleted", async () => {
    const id = await endpoint();
    const cli = await tail([id]);
    await api.deleteEndpoint(id);
    await cli.waitFor(new RegExp(`warning: endpoint ${id} was deleted; no longer tailed`));
    expect(await cli.exited).toEqual({ code: 1, signal: null });
    expect(cli.stderr()).toMatch(/error: every endpoint tailed was deleted/);
    running.splice(running.indexOf(cli), 1);
  });
});

describe("deliveries tail exit codes", () => {
  it("2 for an unknown endpoint and for bad flags, 1 when the API refuses the key", async () => {
    const unknown = await runCli(["webhooks", "deliveries", "tail", "we_nope"], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error: unknown endpoint we_nope/);
    for (const args of [[], ["we_1", "--all"], ["we_1", "--interval", "0"], ["we_1", "--since", "soon"], ["we_1", "--status", "lost"]]) {
      const r = await runCli(["webhooks", "deliveries", "tail", ...args], { env });
      expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(2);
    }
    const wrongKey = await runCli(["webhooks", "deliveries", "tail", "--all"], { env: { ...env, FANFARE_SECRET_KEY: "sk_test_wrong" } });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/the API rejected the key \(401/);
  });
});
