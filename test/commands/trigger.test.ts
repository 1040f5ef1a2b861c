import { createHmac, timingSafeEqual } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cleanEnv, runCli, startCli, tempConfigDir, type CliResult, type RunningCli } from "../helpers/cli.js";

const SECRET = "whsec_e2eTriggerSecret0123456789abcdef";
const HEADERS = [
  "content-type",
  "user-agent",
  "x-fanfare-event-type",
  "x-fanfare-delivery-id",
  "x-fanfare-timestamp",
  "x-fanfare-signature",
];

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** This test's own HMAC check of the signature (not the CLI's code). */
  verified: boolean;
  scheme: "v1" | "sha256" | "hex" | "unknown";
}

/** The test's independent signature check: HMAC-SHA256 keyed with the whole secret, hex. */
function checkSignature(headers: IncomingHttpHeaders, body: Buffer): Pick<Received, "verified" | "scheme"> {
  const header = String(headers["x-fanfare-signature"] ?? "");
  const hmac = (data: Buffer) => createHmac("sha256", SECRET).update(data).digest();
  const equal = (hex: string, expected: Buffer) => {
    const got = Buffer.from(hex, "hex");
    return got.length === expected.length && timingSafeEqual(got, expected);
  };
  const v1 = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (v1) {
    const signed = Buffer.concat([Buffer.from(`${v1[1]}.`), body]);
    const fresh = Math.abs(Date.now() / 1000 - Number(v1[1])) < 300;
    return { scheme: "v1", verified: fresh && v1[1] === headers["x-fanfare-timestamp"] && equal(v1[2]!, hmac(signed)) };
  }
  const sha = /^sha256=([0-9a-f]{64})$/.exec(header);
  if (sha) return { scheme: "sha256", verified: equal(sha[1]!, hmac(body)) };
  if (/^[0-9a-f]{64}$/.test(header)) return { scheme: "hex", verified: equal(header, hmac(body)) };
  return { scheme: "unknown", verified: false };
}

let server: Server;
let url: string;
let received: Received[] = [];
/** Status the server answers with (and a delay, for the Ctrl-C test). */
let answer = { status: 200, delayMs: 0 };
let config: { dir: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;
let running: RunningCli | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      received.push({ headers: req.headers, body, ...checkSignature(req.headers, body) });
      const reply = () => res.writeHead(answer.status, { "content-type": "application/json" }).end('{"received":true}');
      if (answer.delayMs > 0) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  received = [];
  answer = { status: 200, delayMs: 0 };
  config = tempConfigDir();
  env = cleanEnv({ FANFARE_CONFIG_DIR: config.dir });
});
afterEach(async () => {
  await running?.stop("SIGKILL");
  running = undefined;
  config.cleanup();
});

function trigger(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return runCli(["webhooks", "trigger", ...args], { env: options.env ?? env });
}

const withTarget = (...args: string[]) => [...args, "--forward-to", url, "--secret", SECRET];

function expectNoStack(r: CliResult) {
  expect(r.stderr).not.toMatch(/^\s{4}at /m);
}

function expectOneLineError(r: CliResult, code: number, message: RegExp) {
  expect(r.code, r.stderr).toBe(code);
  // The opening "sending N deliveries to URL" line is chatter, not part of the error.
  const lines = r.stderr
    .trim()
    .split("\n")
    .filter((l) => !l.startsWith("sending "));
  expect(lines[0]).toMatch(message);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^hint: /);
  expectNoStack(r);
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe("fanfare webhooks trigger", () => {
  it("--all delivers all 52 events, signed so that an independent HMAC check accepts them", async () => {
    const r = await trigger(withTarget("--all"));
    expect(r.code, r.stderr).toBe(0);
    expect(received).toHaveLength(52);
    expect(received.filter((d) => d.verified)).toHaveLength(52);
    const types = new Set<string>();
    for (const d of received) {
      for (const h of HEADERS) expect(d.headers[h], h).toBeTruthy();
      expect(d.scheme).toBe("v1");
      expect(d.headers["content-type"]).toBe("application/json");
      expect(d.headers["user-agent"]).toBe("Fanfare-Webhooks/1.0");
      const payload = JSON.parse(d.body.toString("utf8"));
      expect(d.headers["x-fanfare-delivery-id"]).toBe(payload.id);
      expect(d.headers["x-fanfare-event-type"]).toBe(payload.type);
      expect(payload.id).toMatch(/^whk_/);
      types.add(payload.type);
    }
    expect(types.size).toBe(52);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(53);
    expect(lines[0]).toMatch(/^--> [a-z_.]+ \[whk_\w+\]  <-- \[200\] (<1|\d+) ms$/);
    expect(lines[52]).toMatch(/^52 sent, 52 ok, 0 failed in \d/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expectNoStack(r);
  });

  it.each(["sha256", "hex"] as const)("--scheme %s signs the raw body in that form", async (scheme) => {
    const r = await trigger(withTarget("draw.consumer.won", "order.created", "--scheme", scheme));
    expect(r.code, r.stderr).toBe(0);
    expect(received.map((d) => [d.scheme, d.verified])).toEqual([
      [scheme, true],
      [scheme, true],
    ]);
  });

  it("reads the secret from FANFARE_WEBHOOK_SECRET", async () => {
    const r = await runCli(["webhooks", "trigger", "draw.consumer.won", "--forward-to", url], {
      env: cleanEnv({ FANFARE_CONFIG_DIR: config.dir, FANFARE_WEBHOOK_SECRET: SECRET }),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(received[0]?.verified).toBe(true);
  });

  it("--forward is --forward-to, and a bare port (with a path) is this machine, never an IPv4 address", async () => {
    const port = new URL(url).port;
    const r = await trigger(["draw.consumer.won", "--forward", `${port}/webhooks`, "--secret", SECRET]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`to http://localhost:${port}/webhooks`);
    expect(received).toHaveLength(1);
    expect(received[0]?.verified).toBe(true);
  });

  it("--set and --data change the sample that is signed and sent", async () => {
    const dataFile = join(config.dir, "data.json");
    writeFileSync(dataFile, JSON.stringify({ note: "from a file", position: 1 }));
    const r = await trigger(withTarget("draw.consumer.won", "--data", dataFile, "--set", "data.position=5"));
    expect(r.code, r.stderr).toBe(0);
    expect(received).toHaveLength(1);
    expect(received[0]!.verified).toBe(true);
    const payload = JSON.parse(received[0]!.body.toString("utf8"));
    expect(payload.data).toMatchObject({ note: "from a file", position: 5 });
  });

  it("--count 5 --concurrency 3 sends 5 deliveries with distinct ids", async () => {
    const r = await trigger(withTarget("queue.consumer.entered", "--count", "5", "--concurrency", "3"));
    expect(r.code, r.stderr).toBe(0);
    expect(received).toHaveLength(5);
    expect(received.every((d) => d.verified)).toBe(true);
    const ids = received.map((d) => d.headers["x-fanfare-delivery-id"]);
    expect(new Set(ids).size).toBe(5);
    expect(r.stdout).toMatch(/^5 sent, 5 ok, 0 failed/m);
  });

  it("an id pinned with --set stays on every delivery", async () => {
    const r = await trigger(withTarget("draw.consumer.won", "--set", "id=whk_pinned", "--count", "3"));
    expect(r.code, r.stderr).toBe(0);
    expect(received.map((d) => d.headers["x-fanfare-delivery-id"])).toEqual(["whk_pinned", "whk_pinned", "whk_pinned"]);
    expect(received.every((d) => d.verified && JSON.parse(d.body.toString()).id === "whk_pinned")).toBe(true);
  });

  it("an id that cannot go in a header fails each delivery, escaped, and the run still ends with its summary and exit 1", async () => {
    const r = await trigger(withTarget("draw.consumer.won", "--set", "id=evil\u001b[31m", "--count", "2"));
    expect(r.code, r.stderr).toBe(1);
    const words = "invalid x-fanfare-delivery-id header value (not sendable over HTTP: U+001B)";
    expect(r.stdout.split("\n").filter((line) => line.includes(`<-- [ERR] ${words}`))).toHaveLength(2);
    expect(r.stdout).toMatch(/^2 sent, 0 ok, 2 failed/m);
    expect(r.stderr).toContain("error: 2 of 2 deliveries failed (first: draw.consumer.won [evil\\x1b[31m] invalid x-fanfare-delivery-id header value");
    expect(r.stderr).toMatch(/^hint: its id or event type holds a character no HTTP header can carry/m);
    expect(r.stdout + r.stderr).not.toContain("\u001b");
    expect(received).toHaveLength(0);
  });

  it("--count 300 gives every delivery its own id and a valid signature over its own bytes", async () => {
    const r = await trigger(withTarget("order.created", "--count", "300", "--concurrency", "8", "--json"));
    expect(r.code, r.stderr).toBe(0);
    expect(received).toHaveLength(300);
    expect(received.every((d) => d.verified)).toBe(true);
    const ids = received.map((d) => JSON.parse(d.body.toString()).id);
    expect(new Set(ids).size).toBe(300);
    expect(received.map((d) => d.headers["x-fanfare-delivery-id"])).toEqual(ids);
  });

  it("--json prints one JSON object per delivery and a summary, and nothing else on stdout", async () => {
    const r = await trigger(withTarget("draw.consumer.won", "order.created", "--count", "2", "--json"));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    for (const line of lines.slice(0, 4)) {
      expect(Object.keys(line).sort()).toEqual(["durationMs", "error", "event", "id", "ok", "status", "url"]);
      expect(line).toMatchObject({ status: 200, ok: true, url, error: null });
    }
    expect(lines.slice(0, 4).map((l) => l.id).sort()).toEqual(received.map((d) => d.headers["x-fanfare-delivery-id"]).sort());
    expect(lines[4].summary).toMatchObject({ url, planned: 4, sent: 4, ok: 4, failed: 0, interrupted: false });
    expect(r.stderr).toBe("");
  });

  it("exits 1 when the receiver answers 500, naming the first failure", async () => {
    answer = { status: 500, delayMs: 0 };
    const r = await trigger(withTarget("draw.consumer.won"));
    expect(r.stdout).toMatch(/<-- \[500\]/);
    expect(r.stdout).toMatch(/^1 sent, 0 ok, 1 failed/m);
    expectOneLineError(r, 1, /^error: 1 of 1 deliveries failed \(first: draw\.consumer\.won \[whk_\w+\] got 500\)$/);
  });

  it("exits 1 when nothing listens, naming the URL, and stops sending", async () => {
    const target = `http://127.0.0.1:${await closedPort()}/webhooks`;
    const r = await trigger(["--all", "--forward-to", target, "--secret", SECRET]);
    expect(r.stdout).toMatch(/<-- \[ERR\] connection refused/);
    expect(r.stdout).toMatch(/^1 of 52 sent, 0 ok, 1 failed/m);
    expect(r.stderr).toContain(`error: nothing is listening at ${target} (connection refused)`);
    expectOneLineError(r, 1, /^error: nothing is listening at/);
  });

  it("without a secret exits 2 with a hint, sending nothing", async () => {
    const r = await trigger(["draw.consumer.won", "--forward-to", url]);
    expectOneLineError(r, 2, /^error: no signing secret$/);
    expect(r.stderr).toContain("--secret whsec_");
    expect(r.stderr).toContain("export FANFARE_WEBHOOK_SECRET=");
    expect(received).toHaveLength(0);
  });

  it("an unknown event exits 2 with suggestions before anything is sent", async () => {
    const r = await trigger(withTarget("draw.consumer.won", "draw.consumer.wom"));
    expectOneLineError(r, 2, /^error: unknown event "draw\.consumer\.wom"$/);
    expect(r.stderr).toContain("did you mean draw.consumer.won");
    expect(received).toHaveLength(0);
    // A segment left out still finds it.
    const short = await trigger(withTarget("draw.won"));
    expectOneLineError(short, 2, /^error: unknown event "draw\.won"$/);
    expect(short.stderr).toContain("hint: did you mean draw.consumer.won?");
  });

  it.each([
    [["--forward-to", "x", "--secret", SECRET], /^error: no event to send$/],
    [["--all", "draw.consumer.won", "--forward-to", "x", "--secret", SECRET], /^error: give event names or --all, not both$/],
    [["draw.consumer.won", "--secret", SECRET], /^error: no `fanfare webhooks listen` is running here, and no --forward-to was given$/],
    [["draw.consumer.won", "--secret", SECRET, "--forward-to", "ftp://host/x"], /is not an http\(s\) URL$/],
    [["draw.consumer.won", "--secret", SECRET, "--forward-to", "http://a b"], /^error: --forward-to "http:\/\/a b" contains a space$/],
    [["draw.consumer.won", "--secret", SECRET, "--forward", "70000"], /^error: --forward-to "70000" has an invalid port$/],
    [["draw.consumer.won", "--secret", SECRET, "--forward-to", "x", "--scheme", "v2"], /^error: unknown signature scheme "v2"$/],
    [["draw.consumer.won", "--secret", SECRET, "--forward-to", "x", "--count", "0"], /^error: --count must be a whole number from 1 to 1000000, not "0"$/],
    [["draw.consumer.won", "--secret", SECRET, "--forward-to", "x", "--count", "2.5"], /^error: --count must be a whole number/],
    [["draw.consumer.won", "--secret", SECRET, "--forward-to", "x", "--concurrency", "abc"], /^error: --concurrency must be a whole number from 1 to 256, not "abc"$/],
    [["draw.consumer.won", "--secret", SECRET, "--forward-to", "x", "--concurrency", "1000"], /^error: --concurrency must be a whole number/],
    [["draw.consumer.won", "--secret", SECRET, "--forward-to", "x", "--set", "nope"], /^error: --set "nope" is not path=value$/],
    [["draw.consumer.won", "--secret", SECRET, "--forward-to", "x", "--data", "/nonexistent/file.json"], /^error: cannot read the --data file "\/nonexistent\/file\.json": no such file or folder$/],
  ])("bad input %j exits 2 with one line and a hint", async (args, message) => {
    const r = await trigger(args as string[]);
    expectOneLineError(r, 2, message as RegExp);
    expect(received).toHaveLength(0);
  });

  it("an unknown flag exits 2 (commander's message)", async () => {
    const r = await trigger(withTarget("draw.consumer.won", "--bogus"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
    expectNoStack(r);
    expect(received).toHaveLength(0);
  });

  it("Ctrl-C stops sending, prints the summary so far and exits 130", async () => {
    answer = { status: 200, delayMs: 20 };
    running = startCli(["webhooks", "trigger", ...withTarget("draw.consumer.won", "--count", "5000")], { env });
    await running.waitFor(/<-- \[200\][\s\S]*<-- \[200\]/);
    const { code } = await running.stop("SIGINT");
    expect(code).toBe(130);
    const summary = /^(\d+) of 5000 sent, (\d+) ok, 0 failed in .* \(interrupted\)$/m.exec(running.stdout());
    expect(summary, running.stdout()).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThanOrEqual(2);
    expect(Number(summary![1])).toBeLessThan(5000);
    expectNoStack({ code, signal: null, stdout: running.stdout(), stderr: running.stderr() });
  });

  it("help shows examples", async () => {
    const r = await trigger(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain("--forward, --forward-to <target>");
  });
});
