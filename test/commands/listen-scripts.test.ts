import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, runCli, startCli } from "../helpers/cli.js";
import { testScope } from "../helpers/scope.js";
import { signedWith } from "../helpers/signatures.js";
import { freePort } from "../listen/servers.js";

// listen and trigger as scripts use them: several sessions, --wait, the cause of a 502, the stored secret.

const scope = testScope();
const target = scope.target;

function configEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir(), ...extra });
}

const secretOf = (stderr: string) => stderr.match(/secret\s+(whsec_\S+)/)![1]!;

describe("several listens", () => {
  it("trigger sends each delivery to every live listen; when one stops, to the others", async () => {
    const env = configEnv();
    const [one, two] = [await target(), await target()];
    // In one test process both listens need a pid of their own that is alive: this one and its parent.
    const first = await scope.listen(["--forward", `${one.url}/one`], env, { pid: process.pid });
    const second = await scope.listen(["--forward", `${two.url}/two`], env, { pid: process.ppid });
    // The second says so at start; the first had nothing to say.
    expect(second.stderr()).toContain(`also running: another listen (pid ${process.pid} → ${one.url}/one); trigger sends each delivery to every one`);
    expect(first.stderr()).not.toContain("also running");

    const both = await runCli(["webhooks", "trigger", "draw.consumer.won"], { env });
    expect(both.code, both.stderr).toBe(0);
    expect(both.stderr).toMatch(/^sending 1 delivery to each of the 2 running listens at http:\/\/127\.0\.0\.1:\d+\/webhooks, http/m);
    expect(both.stdout).toMatch(/^2 sent, 2 ok, 0 failed/m);
    expect([one.received.length, two.received.length]).toEqual([1, 1]);
    // The same delivery (one id) to each, each signed so that its listen's secret verifies it.
    expect(one.received[0]!.headers["x-fanfare-delivery-id"]).toBe(two.received[0]!.headers["x-fanfare-delivery-id"]);
    expect(signedWith(secretOf(first.stderr()), one.received[0]!)).toBe(true);
    expect(signedWith(secretOf(second.stderr()), two.received[0]!)).toBe(true);

    // The newer one exits: trigger still finds the first (the old single file went with the newest).
    expect(await second.stop("SIGTERM")).toEqual({ code: 130, signal: null });
    const after = await runCli(["webhooks", "trigger", "order.created"], { env });
    expect(after.code, after.stderr).toBe(0);
    expect(after.stderr).toContain("the running listen at ");
    expect(one.received).toHaveLength(2);
    expect(two.received).toHaveLength(1);
    expect(first.stdout()).toMatch(/--> order\.created/);
  });

  it("a dead listen's file is ignored and removed (a pid that does not run)", async () => {
    const env = configEnv();
    const dead = 4_194_304 + 99;
    const { mkdirSync, existsSync } = await import("node:fs");
    const dir = join(env.FANFARE_CONFIG_DIR!, "listen-sessions");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${dead}.json`);
    writeFileSync(file, JSON.stringify({ pid: dead, receiverUrl: "http://127.0.0.1:9/webhooks", secret: "whsec_x", forwardUrl: "http://localhost:3000/" }));
    const r = await runCli(["webhooks", "trigger", "draw.consumer.won"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no `fanfare webhooks listen` is running here/);
    expect(existsSync(file)).toBe(false);
  });
});

describe("trigger --wait", () => {
  it("waits for a listen started after it, then sends (the `listen … & trigger … --wait` of a script)", async () => {
    const env = configEnv();
    const app = await target();
    // `--wait` before the event: commander would take the event as its value; trigger gives it back.
    const trigger = startCli(["webhooks", "trigger", "--wait", "draw.consumer.won"], { env });
    await trigger.waitFor(/waiting up to 10 s for a listen to start/);
    await scope.listen(["--forward", app.url], env);
    expect(await trigger.exited).toEqual({ code: 0, signal: null });
    expect(trigger.stdout()).toMatch(/^1 sent, 1 ok, 0 failed/m);
    expect(app.received).toHaveLength(1);
  });

  it("gives up after the seconds given, exit 2, saying it waited", async () => {
    const env = configEnv();
    const started = Date.now();
    const r = await runCli(["webhooks", "trigger", "draw.consumer.won", "--wait", "1"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no `fanfare webhooks listen` is running here after waiting 1 s, and no --forward-to was given\nhint: .*--wait/m);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const bad = await runCli(["webhooks", "trigger", "draw.consumer.won", "--wait", "1.5"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--wait must be whole seconds, not "1\.5"\nhint: e\.g\. --wait 30, or --wait alone for 10 s\n/);
    const long = await runCli(["webhooks", "trigger", "draw.consumer.won", "--wait", "99999"], { env });
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/\nhint: e\.g\. --wait 30, or --wait alone for 10 s\n/);
  });
});

describe("when listen cannot reach the app", () => {
  it("trigger prints the cause listen answered with (502 JSON {error, target}), not only the status", async () => {
    // A loopback receiver that answers as listen does when the app is down.
    const relay = await target((_req, res) => {
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "connection refused", target: "http://localhost:3999/webhooks" }) + "\n");
    });
    const env = configEnv({ FANFARE_WEBHOOK_SECRET: "whsec_scriptsTest0123456789" });
    const r = await runCli(["webhooks", "trigger", "draw.consumer.won", "--forward-to", relay.url], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/<-- \[502\] connection refused by http:\/\/localhost:3999\/webhooks (<1|\d+) ms$/m);
    expect(r.stderr).toMatch(
      /^error: 1 of 1 deliveries failed \(first: draw\.consumer\.won \[whk_\w+\] got 502: connection refused by http:\/\/localhost:3999\/webhooks\)\nhint: listen could not reach your app/m,
    );
    const json = await runCli(["webhooks", "trigger", "draw.consumer.won", "--forward-to", relay.url, "--json"], { env });
    expect(JSON.parse(json.stdout.split("\n")[0]!)).toMatchObject({ status: 502, error: "connection refused by http://localhost:3999/webhooks" });

    // A timeout (504), and what comes from outside is escaped.
    const slow = await target((_req, res) => {
      res.writeHead(504, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "timed out after 30 s\u001b[2J", target: "http://localhost:3999/" }));
    });
    const t = await runCli(["webhooks", "trigger", "draw.consumer.won", "--forward-to", slow.url], { env });
    expect(t.stdout).toContain("<-- [504] timed out after 30 s\\x1b[2J at http://localhost:3999/");
    expect(t.stdout).not.toContain("\u001b");
  });

  it("through a real listen whose app is down, the cause names the app's URL", async () => {
    const env = configEnv();
    const down = `http://127.0.0.1:${await freePort()}/webhooks`;
    await scope.listen(["--forward", down], env);
    const r = await runCli(["webhooks", "trigger", "draw.consumer.won"], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/<-- \[502\] .*connection refused/);
    expect(r.stdout).toContain(down);
  });
});

describe("the stored local secret", () => {
  it("trigger --forward-to with no secret signs with the stored local secret and says so on stderr", async () => {
    const env = configEnv();
    const app = await target();
    const printed = await runCli(["webhooks", "listen", "--print-secret"], { env });
    const stored = printed.stdout.trim();
    const r = await runCli(["webhooks", "trigger", "draw.consumer.won", "--forward-to", app.url], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("no --secret or FANFARE_WEBHOOK_SECRET: signing with the stored local secret (the one listen uses)");
    expect(signedWith(stored, app.received[0]!)).toBe(true);
    // The environment's secret wins, silently.
    const withEnv = await runCli(["webhooks", "trigger", "draw.consumer.won", "--forward-to", app.url], {
      env: { ...env, FANFARE_WEBHOOK_SECRET: "whsec_fromEnv0123456789" },
    });
    expect(withEnv.stderr).not.toContain("stored local secret");
    expect(signedWith("whsec_fromEnv0123456789", app.received[1]!)).toBe(true);
  });
});

describe("listen's mode and flags", () => {
  it("--local runs locally although an API key is set; without it, a failure says why listen connected", async () => {
    const app = await target();
    const keyed = configEnv({ FANFARE_SECRET_KEY: "sk_test_leftOverFromTheWalkthrough", CLOUDFLARED_BIN: "/nonexistent/cloudflared" });
    const local = await scope.listen(["--forward", app.url, "--local"], keyed);
    expect(local.stderr()).toMatch(/local mode/);
    const r = await runCli(["webhooks", "trigger", "draw.consumer.won"], { env: keyed });
    expect(r.code, r.stderr).toBe(0);
    expect(app.received).toHaveLength(1);

    const connected = await runCli(["webhooks", "listen", "--forward", app.url], { env: keyed });
    expect(connected.code).toBe(2);
    expect(connected.stderr).toMatch(/^error: CLOUDFLARED_BIN=\/nonexistent\/cloudflared is not an executable file\nhint: .*; listen is in connected mode because FANFARE_SECRET_KEY is set \(unset it, or pass --local\)\n$/);

    // An API that cannot be reached (a key saved by login, a closed port): exit 1, the same kind of hint.
    const saved = configEnv({ FANFARE_API_BASE: `http://127.0.0.1:${await freePort()}/api` });
    writeFileSync(join(saved.FANFARE_CONFIG_DIR!, "config.json"), JSON.stringify({ profiles: { default: { apiKey: "sk_test_saved" } } }));
    const unreachable = await runCli(["webhooks", "listen", "--forward", app.url, "--tunnel", "none"], { env: saved, timeoutMs: 60_000 });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:\d+\/api .*\nhint: .*listen is in connected mode because profile "default" has an API key \(`fanfare logout` removes it, or pass --local\)\n$/);

    const both = await runCli(["webhooks", "listen", "--forward", app.url, "--local", "--endpoint", "we_1"], { env: keyed });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--local and --endpoint do not go together/);
  }, 90_000);

  it("a --port in use is exit 2, naming the port", async () => {
    const busy = await target();
    const r = await runCli(["webhooks", "listen", "--forward", "3000", "--port", String(busy.port)], { env: configEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: --port ${busy.port}: port ${busy.port} is already in use on 127.0.0.1\nhint: pass another --port, or leave it out for a free one\n`,
    );
  });

  it("the banner's next step is the live view's (one suggestion)", async () => {
    const { bannerLines, nextStep } = await import("../../src/listen/banner.js");
    const { createStyle } = await import("../../src/terminal/style.js");
    const style = createStyle(false);
    const info = { mode: "connected" as const, receiverUrl: "r", publicUrl: null, forwardUrl: "f", endpointId: "we_1", secret: "whsec_x", events: [] };
    expect(nextStep(info)).toBe("fanfare webhooks trigger draw.consumer.won --endpoint we_1");
    expect(bannerLines(info, { temporaryEndpoint: true, tui: true }, style).at(-1)).toBe(`Ready. In another terminal: ${nextStep(info)}`);
    const local = { ...info, mode: "local" as const, endpointId: null };
    expect(bannerLines(local, { temporaryEndpoint: false, tui: true }, style).at(-1)).toBe(
      "Ready. In another terminal: fanfare webhooks trigger draw.consumer.won",
    );
  });
});

describe("listen's exit summary", () => {
  it("prints one line on exit: received, ok, failed, bad signature, duration (JSON with --json)", async () => {
    const env = configEnv();
    const app = await target((req, res) => {
      res.writeHead(JSON.parse(req.body.toString()).type === "order.created" ? 500 : 200).end();
    });
    const cli = await scope.listen(["--forward", app.url], env);
    await runCli(["webhooks", "trigger", "draw.consumer.won"], { env });
    await runCli(["webhooks", "trigger", "draw.consumer.won", "--secret", "whsec_notTheSessions0123456"], { env });
    await runCli(["webhooks", "trigger", "order.created"], { env });
    await cli.waitFor(/<-- \[500\]/);
    expect(await cli.stop("SIGINT")).toEqual({ code: 130, signal: null });
    expect(cli.stderr()).toMatch(/^listen: 3 received, 2 ok, 1 failed, 1 bad signature in \d+ s$/m);

    const json = await scope.listen(["--forward", app.url, "--json"], env);
    await runCli(["webhooks", "trigger", "draw.consumer.won"], { env });
    await json.waitFor(/"seq":1,/);
    expect(await json.stop("SIGTERM")).toEqual({ code: 130, signal: null });
    const last = JSON.parse(json.stderr().trim().split("\n").at(-1)!);
    expect(last).toEqual({ summary: { received: 1, ok: 1, failed: 0, badSignature: 0, durationMs: expect.any(Number) } });
  });
});

describe("replay's secret", () => {
  it("with none given and no listen running, replay signs with the stored local secret and says so", async () => {
    const env = configEnv();
    const app = await target();
    const log = join(env.FANFARE_CONFIG_DIR!, "deliveries.ndjson");
    const cli = await scope.listen(["--forward", app.url, "--log-file", log], env);
    const stored = secretOf(cli.stderr());
    await runCli(["webhooks", "trigger", "draw.consumer.won"], { env });
    await cli.waitFor(/<-- \[200\]/);
    await cli.stop("SIGTERM");
    const r = await runCli(["webhooks", "replay", log, "--forward-to", app.url], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("no --secret or FANFARE_WEBHOOK_SECRET: signing with the stored local secret (the one listen uses)");
    expect(app.received).toHaveLength(2);
    expect(signedWith(stored, app.received[1]!)).toBe(true);
  });
});
