import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { eventNames } from "../../src/events/catalog.js";
import { createHttpClient } from "../../src/http/client.js";
import { cleanEnv, runCli, startCli, tempConfigDir } from "../helpers/cli.js";
import { testScope } from "../helpers/scope.js";

const SECRET = "whsec_checkHandlerSecret0123456789";

/**
 * The handlers under test, written as people write them: each is the proper one with one piece
 * left out. The signature check here is the test's own HMAC (v1: `${t}.${rawBody}`), not the CLI's.
 */
interface HandlerFlaws {
  /** Skip the signature check entirely (accepts everything). */
  noVerify?: boolean;
  /** Verify the signature but not the timestamp's age. */
  noTolerance?: boolean;
  /** Answer 500 to a delivery id already processed. */
  failOnRepeat?: boolean;
  /** Take this long over each new delivery (a repeat is recognised and answered at once). */
  workMs?: number;
  /** Verify over JSON.stringify(JSON.parse(body)), as a handler behind a JSON body parser does. */
  reserialise?: boolean;
}

function verified(req: IncomingMessage, raw: Buffer, secret: string, flaws: HandlerFlaws): boolean {
  if (flaws.noVerify) return true;
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers["x-fanfare-signature"] ?? ""));
  if (!m) return false;
  if (!flaws.noTolerance && Math.abs(Date.now() / 1000 - Number(m[1])) > 300) return false;
  const body = flaws.reserialise ? Buffer.from(JSON.stringify(JSON.parse(raw.toString("utf8")))) : raw;
  const expected = createHmac("sha256", secret).update(Buffer.concat([Buffer.from(`${m[1]}.`), body])).digest();
  return timingSafeEqual(expected, Buffer.from(m[2]!, "hex"));
}

const servers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!();
});

/** Requests at the handler that have not been answered yet, and the most there were at once. */
interface InFlight {
  now: number;
  peak: number;
}

async function startHandler(flaws: HandlerFlaws = {}, secret = SECRET, inFlight: InFlight = { now: 0, peak: 0 }): Promise<string> {
  const seen = new Set<string>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    inFlight.peak = Math.max(inFlight.peak, ++inFlight.now);
    res.on("finish", () => inFlight.now--);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      if (!verified(req, raw, secret, flaws)) {
        res.writeHead(401).end("invalid signature");
        return;
      }
      const event = JSON.parse(raw.toString("utf8")) as { id: string };
      if (seen.has(event.id)) {
        res.writeHead(flaws.failOnRepeat ? 500 : 200).end(flaws.failOnRepeat ? "duplicate key value violates unique constraint" : "");
        return;
      }
      seen.add(event.id);
      setTimeout(() => res.writeHead(200).end("ok"), flaws.workMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
}

interface Report {
  checks: Array<{ name: string; result: string; detail: string; advice: string | null }>;
  summary: { passed: number; warned: number; failed: number; total: number };
}

async function checkJson(url: string, extra: string[] = [], timeoutMs?: number) {
  const result = await runCli(["webhooks", "check", "--forward-to", url, "--json", ...extra], {
    env: cleanEnv({ FANFARE_WEBHOOK_SECRET: SECRET }),
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  const report = JSON.parse(result.stdout) as Report;
  const results = Object.fromEntries(report.checks.map((c) => [c.name, c.result]));
  return { ...result, report, results };
}

const ALL_PASS = {
  "valid-deliveries": "pass",
  "bad-signature": "pass",
  "missing-signature": "pass",
  "tampered-body": "pass",
  "old-timestamp": "pass",
  redelivery: "pass",
  "large-payload": "pass",
  "non-ascii": "pass",
};

describe("webhooks check against handlers on loopback", () => {
  it("passes a handler that verifies properly, with every documented event", async () => {
    const url = await startHandler();
    // 61 requests, one of them 1 MB: room for a loaded machine.
    const { code, results, report, stderr } = await checkJson(url, [], 45_000);
    expect(code, stderr).toBe(0);
    expect(results).toEqual(ALL_PASS);
    expect(report.checks[0]!.detail).toMatch(/^52 event types, each answered 200/);
    expect(report.summary).toMatchObject({ passed: 8, warned: 0, failed: 0, total: 8 });
  }, 60_000);

  it("fails a handler that accepts everything on each of the four refusal checks, naming them", async () => {
    const url = await startHandler({ noVerify: true });
    const { code, results, report } = await checkJson(url, ["--events", "draw.consumer.won"]);
    expect(code).toBe(1);
    expect(results).toEqual({
      ...ALL_PASS,
      "bad-signature": "fail",
      "missing-signature": "fail",
      "tampered-body": "fail",
      "old-timestamp": "fail",
    });
    const advice = Object.fromEntries(report.checks.map((c) => [c.name, c.advice]));
    expect(advice["bad-signature"]).toMatch(/does not verify signatures/);
    expect(advice["missing-signature"]).toMatch(/without X-Fanfare-Signature/);
    expect(advice["tampered-body"]).toMatch(/raw body/);
    expect(advice["old-timestamp"]).toMatch(/^reject timestamps older than 5 minutes/);
    expect(report.summary).toMatchObject({ passed: 4, failed: 4 });
  });

  it("shows the same verdicts as a table for people, with what to fix under each failure", async () => {
    const url = await startHandler({ noVerify: true });
    const { code, stdout, stderr } = await runCli(
      ["webhooks", "check", "--forward-to", url, "--events", "order.created"],
      { env: cleanEnv({ FANFARE_WEBHOOK_SECRET: SECRET }) },
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^checking http:\/\/127\.0\.0\.1:\d+\/webhooks: 8 checks, 1 event type, 10 requests \(v1 signature, secret from FANFARE_WEBHOOK_SECRET\)$/m);
    expect(stdout).toMatch(/^pass  valid deliveries   order\.created \[whk_\w+\] → 200 in /m);
    expect(stdout).toMatch(/^FAIL  bad signature      order\.created \[whk_\w+\] signed with another secret → 200 in .*: ok$/m);
    expect(stdout).toMatch(/^ +fix: the handler does not verify signatures/m);
    expect(stdout).toMatch(/^FAIL  old timestamp      order\.created \[whk_\w+\] validly signed 15 minutes ago → 200/m);
    expect(stdout).toMatch(/^4 passed, 0 warnings, 4 failed: 10 requests to http:\/\/127\.0\.0\.1:\d+\/webhooks in /m);
  });

  it("shows progress on a terminal while it runs, then the table in colour", async () => {
    const url = await startHandler();
    const { code, stdout, stderr } = await runCli(["webhooks", "check", "--forward-to", url, "--events", "order.created"], {
      env: cleanEnv({ FANFARE_WEBHOOK_SECRET: SECRET }),
      tty: true,
    });
    expect(code).toBe(0);
    expect(stderr).toContain("\r  10/10 requests answered");
    expect(stderr.endsWith("\r\u001b[K")).toBe(true);
    expect(stdout).toContain("\u001b[32mpass\u001b[39m  valid deliveries");
  });

  it("fails only the timestamp check of a handler that ignores the timestamp", async () => {
    const url = await startHandler({ noTolerance: true });
    const { code, results, report } = await checkJson(url, ["--events", "draw.consumer.won,order.created"]);
    expect(code).toBe(1);
    expect(results).toEqual({ ...ALL_PASS, "old-timestamp": "fail" });
    expect(report.checks.find((c) => c.name === "old-timestamp")!.detail).toMatch(/validly signed 15 minutes ago → 200/);
  });

  it("fails only idempotency for a handler that answers 500 to a repeated delivery id", async () => {
    const url = await startHandler({ failOnRepeat: true });
    const { code, results, report } = await checkJson(url, ["--events", "draw.consumer.won"]);
    expect(code).toBe(1);
    expect(results).toEqual({ ...ALL_PASS, redelivery: "fail" });
    const redelivery = report.checks.find((c) => c.name === "redelivery")!;
    expect(redelivery.detail).toMatch(/→ 200 in .*, again with a fresh timestamp → 500 in .*: duplicate key value/);
    expect(redelivery.advice).toMatch(/^make the handler idempotent on X-Fanfare-Delivery-Id/);
  });

  it("catches a handler that verifies a re-serialised body (express.json() then JSON.stringify)", async () => {
    const url = await startHandler({ reserialise: true });
    const { code, results, report } = await checkJson(url, ["--events", "draw.consumer.won"]);
    expect(code).toBe(1);
    expect(results).toEqual({ ...ALL_PASS, "tampered-body": "fail" });
    const tampered = report.checks.find((c) => c.name === "tampered-body")!;
    expect(tampered.detail).toMatch(/organizationId changed after signing → 401 .*re-indented after signing → 200/);
    expect(tampered.advice).toMatch(/^compare the signature over the raw body, before JSON parsing/);
  });

  // The one slow test: every new delivery takes 6 s; the checks go out at once, so it costs ~6 s.
  it("warns, without failing, about a handler that takes 6 s", async () => {
    const url = await startHandler({ workMs: 6_000 });
    const started = Date.now();
    const { code, results, report } = await checkJson(url, ["--events", "draw.consumer.won"], 40_000);
    expect(code).toBe(0);
    expect(results).toEqual({
      ...ALL_PASS,
      "valid-deliveries": "warn",
      redelivery: "warn",
      "large-payload": "warn",
      "non-ascii": "warn",
    });
    expect(report.checks[0]!.detail).toMatch(/→ 200 in [67]\.\d s, over 5 s$/);
    expect(report.checks[0]!.advice).toMatch(/30 s limit/);
    expect(report.summary).toMatchObject({ passed: 4, warned: 4, failed: 0 });
    // The checks go out together: one after another they would take 24 s and more (four slow ones).
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 50_000);
});

describe("webhooks check against a slow handler", () => {
  it("sends every request that waits for no other at once: 12 event types, 15 slow ones held together", async () => {
    const inFlight = { now: 0, peak: 0 };
    // Each new delivery takes 1.5 s, long enough for the whole round to arrive even on a loaded machine.
    const url = await startHandler({ workMs: 1_500 }, SECRET, inFlight);
    const events = eventNames().slice(0, 12);
    const { code, results, stderr } = await checkJson(url, ["--events", events.join(",")], 30_000);
    expect(code, stderr).toBe(0);
    expect(Object.values(results)).toEqual(Object.values(ALL_PASS));
    // 21 requests; all but the redelivery's repeat (which waits for the first answer) go at once. The
    // five refusals are answered at once, so the handler holds the other 15 together (10 before).
    expect(inFlight.peak).toBe(15);
  }, 40_000);

  it("gives up on a handler that answers none of the first 10 requests: checks not run, exit 1", async () => {
    let arrived = 0;
    const server = createServer(() => void arrived++); // reads nothing, answers nothing
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
    // The HTTP layer with a 300 ms timeout in place of 30 s, so giving up takes a moment, not minutes.
    const http = (options: Parameters<typeof createHttpClient>[0]) => createHttpClient({ ...options, timeoutMs: 300 });
    const env = cleanEnv({ FANFARE_WEBHOOK_SECRET: SECRET });

    // --concurrency 10 against 61 requests: without giving up, seven rounds of timeouts.
    const table = await runCli(["webhooks", "check", "--forward-to", url, "--concurrency", "10"], { env, http });
    expect(table.code, table.stderr).toBe(1);
    expect(table.stdout).toMatch(/^skip  valid deliveries   not run$/m);
    expect(table.stdout).toMatch(/^skip  redelivery         not run$/m);
    expect(table.stdout).toMatch(
      /^0 passed, 0 warnings, 0 failed: 1\d requests to .* \(the handler answered none of the first 10 requests within 30 s: stopped, 8 of 8 checks not run\)$/m,
    );
    expect(arrived).toBeLessThan(20);

    const json = await runCli(["webhooks", "check", "--forward-to", url, "--events", "order.created", "--json"], { env, http });
    expect(json.code).toBe(1);
    const summary = (JSON.parse(json.stdout) as { summary: Record<string, unknown> }).summary;
    expect(summary).toMatchObject({
      ok: false,
      stopped: "the handler answered none of the first 9 requests within 30 s: stopped",
      notRun: Object.keys(ALL_PASS),
    });
  });

  it("says what it waits for on a terminal once no answer has come for a second, and only there", async () => {
    const url = await startHandler({ workMs: 2_500 });
    const args = ["webhooks", "check", "--forward-to", url, "--events", "order.created"];
    const env = cleanEnv({ FANFARE_WEBHOOK_SECRET: SECRET });
    const [tty, piped, json] = await Promise.all([
      runCli(args, { env, tty: true }),
      runCli(args, { env }),
      runCli([...args, "--json"], { env, tty: true }),
    ]);
    expect(tty.code, tty.stderr).toBe(0);
    // Redrawn in place each second, erased to the end of the line, and cleared before the report.
    // The five refusals are answered at once; the four valid deliveries take 2.5 s each.
    expect(tty.stderr).toMatch(/\r {3}5\/10 requests answered, waiting for 4 answers \(\d s\)…\u001b\[K/);
    expect(tty.stderr.endsWith("\r\u001b[K")).toBe(true);
    for (const quiet of [piped, json]) {
      expect(quiet.code).toBe(0);
      expect(quiet.stderr).not.toContain("waiting for");
      expect(quiet.stderr).not.toContain("\r");
    }
  });
});

describe("webhooks check, interrupted", () => {
  it("stops at Ctrl-C with requests in flight to a handler that never answers: exit 130", async () => {
    let arrived!: () => void;
    const first = new Promise<void>((resolve) => (arrived = resolve));
    const server = createServer(() => arrived()); // reads nothing, answers nothing
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
    const cli = startCli(["webhooks", "check", "--forward-to", url, "--events", "draw.consumer.won"], {
      env: cleanEnv({ FANFARE_WEBHOOK_SECRET: SECRET }),
    });
    await first;
    const { code } = await cli.stop("SIGINT");
    expect(code).toBe(130);
    expect(cli.stdout()).toMatch(/^0 passed, 0 warnings, 0 failed: 0 requests to .* \(interrupted: 8 of 8 checks not finished\)$/m);
  });
});

describe("webhooks check: what to check against", () => {
  const scope = testScope();

  it("checks the app the running listen forwards to, with listen's secret", async () => {
    const env = cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() });
    const secret = (await runCli(["webhooks", "listen", "--print-secret"], { env })).stdout.trim();
    const url = await startHandler({}, secret);
    await scope.listen(["--forward", url, "--no-tui"], env);
    const result = await runCli(["webhooks", "check", "--events", "draw.consumer.won"], { env });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toContain(`checking the running listen's app at ${url}:`);
    expect(result.stderr).toContain("secret from the running listen's secret");
    expect(result.stdout).toMatch(/^8 passed, 0 warnings, 0 failed/m);
  });

  it("an app listen forwards only PATTERN to is checked with those events (--events still chooses)", async () => {
    const env = cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() });
    const secret = (await runCli(["webhooks", "listen", "--print-secret"], { env })).stdout.trim();
    const url = await startHandler({}, secret);
    await scope.listen(["--forward", `queue.*=${url}`, "--no-tui"], env);
    const result = await runCli(["webhooks", "check"], { env });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const queue = eventNames().filter((name) => name.startsWith("queue."));
    expect(queue.length).toBeGreaterThan(0);
    expect(result.stderr).toContain(`checking the running listen's app at ${url} (the queue.* events listen sends it): 8 checks, ${queue.length} event types`);
    const chosen = await runCli(["webhooks", "check", "--events", "draw.consumer.won"], { env });
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stderr).toContain(`checking the running listen's app at ${url}:`);
  });

  it("exits 2 with nothing to check against: no target, nothing listening, bad flags", async () => {
    const config = tempConfigDir();
    try {
      const env = cleanEnv({ FANFARE_CONFIG_DIR: config.dir, FANFARE_WEBHOOK_SECRET: SECRET });
      const none = await runCli(["webhooks", "check", "--json"], { env });
      expect(none.code).toBe(2);
      expect(JSON.parse(none.stderr).error).toMatchObject({ code: "missing_target" });

      const url = await startHandler();
      await servers.pop()!(); // closed: nothing listens at url now
      const refused = await runCli(["webhooks", "check", "--forward-to", url, "--events", "order.created"], { env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`error: nothing to check: nothing is listening at ${url} (connection refused)`);
      expect(refused.stdout).toBe("");

      const noSecret = await runCli(["webhooks", "check", "--forward-to", url], { env: cleanEnv({ FANFARE_CONFIG_DIR: config.dir }) });
      expect(noSecret.code).toBe(2);
      expect(noSecret.stderr).toContain("error: no signing secret");

      const notBase64 = await runCli(["webhooks", "check", "--forward-to", url, "--scheme", "standard", "--secret", "whsec_not-base64!"], { env });
      expect(notBase64.code).toBe(2);
      expect(notBase64.stderr).toMatch(/^error: the secret is not valid base64 for --scheme standard$/m);
      expect(notBase64.stderr).not.toContain("checking");

      for (const bad of [["--scheme", "md5"], ["--events", "draw.consumer.wom"], ["--concurrency", "0"], ["--forward-to", "http://3000"]]) {
        const r = await runCli(["webhooks", "check", "--forward-to", url, ...bad], { env });
        expect(r.code, bad.join(" ")).toBe(2);
      }
    } finally {
      config.cleanup();
    }
  });
});
