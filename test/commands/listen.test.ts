import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deliveryHeaders } from "../../src/signing/headers.js";
import { signPayload } from "../../src/signing/signature.js";
import { cleanEnv, runCli, tempConfigDir, type RunningCli } from "../helpers/cli.js";
import { testScope } from "../helpers/scope.js";
import { freePort, send } from "../listen/servers.js";
import { signedWith } from "../helpers/signatures.js";
import { waitUntil } from "../helpers/wait.js";

// Local mode end to end: the CLI is spawned (no TTY, so lines), a real target on loopback receives.

const scope = testScope();

function configEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir(), ...extra });
}
const target = scope.target;

interface Session {
  cli: RunningCli;
  receiverUrl: string;
  secret: string;
}

async function listen(args: string[], env: NodeJS.ProcessEnv): Promise<Session> {
  const cli = await scope.listen(args, env);
  if (args.includes("--json")) {
    const { listening } = JSON.parse(cli.stderr().split("\n")[0]!);
    return { cli, receiverUrl: listening.receiverUrl, secret: listening.secret };
  }
  const receiverUrl = cli.stderr().match(/receiver\s+(http:\S+)/)![1]!;
  const secret = cli.stderr().match(/secret\s+(whsec_\S+)/)![1]!;
  return { cli, receiverUrl, secret };
}

/** A delivery signed the way the platform signs one, sent straight to the receiver. */
function signedDelivery(secret: string, body: Buffer, id = "whk_test_1", eventType = "draw.consumer.won") {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    body,
    headers: deliveryHeaders({ eventType, deliveryId: id, timestamp, signature: signPayload(secret, body, "v1", timestamp) }),
  };
}


describe("listen (local mode)", () => {
  it("takes a trigger with no --forward-to and forwards it, signature valid at the target", async () => {
    const env = configEnv();
    const app = await target();
    const session = await listen(["--forward", `${app.url}/hooks`], env);
    expect(session.cli.stderr()).toMatch(/local mode/);
    expect(session.cli.stderr()).toContain(`forward   ${app.url}/hooks`);

    const trigger = await runCli(["webhooks", "trigger", "draw.consumer.won"], { env });
    expect(trigger.stderr).toContain(session.receiverUrl);
    expect(trigger.code).toBe(0);

    expect(app.received).toHaveLength(1);
    const got = app.received[0]!;
    expect(got.url).toBe("/hooks");
    expect(got.headers["x-fanfare-event-type"]).toBe("draw.consumer.won");
    expect(JSON.parse(got.body.toString()).type).toBe("draw.consumer.won");
    expect(signedWith(session.secret, got)).toBe(true);
    // The secret printed is the stored local one, which --print-secret also gives.
    const printed = await runCli(["webhooks", "listen", "--print-secret"], { env });
    expect(printed.stdout.trim()).toBe(session.secret);

    await session.cli.waitFor(/<-- \[200\] POST http:\/\/127\.0\.0\.1:\d+\/hooks \[whk_\w+\]/);
    expect(session.cli.stdout()).toMatch(/--> draw\.consumer\.won \[whk_\w+\]/);
  });

  it("--secret on trigger beats the session's secret (the target sees a bad signature)", async () => {
    const env = configEnv({ FANFARE_WEBHOOK_SECRET: "whsec_fromTheEnvironment0000000000" });
    const app = await target();
    const session = await listen(["--forward", app.url], env);
    // The environment's secret loses to the session's…
    expect((await runCli(["webhooks", "trigger", "draw.consumer.won"], { env })).code).toBe(0);
    expect(signedWith(session.secret, app.received[0]!)).toBe(true);
    // …and --secret wins over both; listen flags it but still forwards.
    await runCli(["webhooks", "trigger", "draw.consumer.won", "--secret", "whsec_someOtherSecret0000000000"], { env });
    expect(app.received).toHaveLength(2);
    expect(signedWith(session.secret, app.received[1]!)).toBe(false);
    await session.cli.waitFor(/✗ /);
  });

  it("forwards unicode and 5 MB bodies byte for byte, with the target's status and X-Fanfare headers", async () => {
    const env = configEnv();
    const app = await target((_req, res) => {
      res.writeHead(201, { "content-type": "text/plain" });
      res.end("made");
    });
    const session = await listen(["--forward", app.url, "--headers", "X-Env:dev"], env);

    const unicode = Buffer.from(JSON.stringify({ type: "draw.consumer.won", name: "Zoë 🎉 — 東京", note: "a\u2028b" }) + "\n ");
    const first = signedDelivery(session.secret, unicode, "whk_unicode");
    const reply = await send(session.receiverUrl, first);
    expect(reply).toMatchObject({ status: 201, body: "made" });
    const got = app.received[0]!;
    expect(got.body.equals(unicode)).toBe(true);
    for (const name of ["x-fanfare-signature", "x-fanfare-timestamp", "x-fanfare-delivery-id", "x-fanfare-event-type", "content-type", "user-agent"]) {
      expect(got.headers[name]).toBe(first.headers[name]);
    }
    expect(got.headers["x-env"]).toBe("dev");
    expect(signedWith(session.secret, got)).toBe(true);

    const big = Buffer.from(JSON.stringify({ type: "draw.consumer.won", pad: "é".repeat(5 * 512 * 1024 - 40) }));
    expect(big.length).toBeGreaterThan(5 * 1024 * 1024 - 100);
    const second = signedDelivery(session.secret, big, "whk_big");
    expect((await send(session.receiverUrl, second)).status).toBe(201);
    expect(app.received[1]!.body.equals(big)).toBe(true);
    expect(signedWith(session.secret, app.received[1]!)).toBe(true);
    await session.cli.waitFor(/<-- \[201\] .*\[whk_big\]/);
  });

  it("answers 502 when the target is down, 404/405 off the path, and records it all in --log-file", async () => {
    const env = configEnv();
    const dir = tempConfigDir();
    scope.defer(dir.cleanup);
    const logFile = join(dir.dir, "deliveries.ndjson");
    const port = await freePort();
    const session = await listen(["--forward", `127.0.0.1:${port}/hook`, "--log-file", logFile, "--json"], env);

    const down = await send(session.receiverUrl, signedDelivery(session.secret, Buffer.from('{"a":1}'), "whk_down"));
    expect(down.status).toBe(502);
    expect(JSON.parse(down.body).error).toMatch(/connection refused/);
    expect((await send(session.receiverUrl.replace("/webhooks", "/other"), { body: "{}" })).status).toBe(404);
    expect((await send(session.receiverUrl, { method: "GET" })).status).toBe(405);

    const line = await session.cli.waitFor(/\{"seq":1,.*\}\n/);
    const json = JSON.parse(line[0]);
    expect(json).toMatchObject({ id: "whk_down", signature: "valid", target: { statusCode: null, error: "connection refused" } });

    expect(await session.cli.stop("SIGTERM")).toEqual({ code: 130, signal: null });
    const logged = readFileSync(logFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ id: "whk_down", body: '{"a":1}', headers: { "x-fanfare-delivery-id": "whk_down" } });
  });

  it("removes its session state on SIGINT and SIGTERM, after which trigger says no session runs (exit 2)", async () => {
    const env = configEnv();
    const app = await target();
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const session = await listen(["--forward", app.url], env);
      const state = join(env.FANFARE_CONFIG_DIR!, "listen-sessions", `${session.cli.pid}.json`);
      expect(JSON.parse(readFileSync(state, "utf8"))).toMatchObject({ pid: session.cli.pid, receiverUrl: session.receiverUrl });
      expect(await session.cli.stop(signal)).toEqual({ code: 130, signal: null });
      expect(existsSync(state)).toBe(false);
    }
    const trigger = await runCli(["webhooks", "trigger", "draw.consumer.won"], { env });
    expect(trigger.code).toBe(2);
    expect(trigger.stderr).toMatch(/^error: no `fanfare webhooks listen` is running here, and no --forward-to was given\nhint: start `fanfare webhooks listen/);
  });

  it("refuses a bad --forward and a missing one with exit 2", async () => {
    const env = configEnv();
    const missing = await runCli(["webhooks", "listen"], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--forward is required/);
    const bad = await runCli(["webhooks", "listen", "--forward", "ftp://x"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --forward "ftp:\/\/x" is not an http\(s\) URL$/m);
  });

  it("a --log-file it cannot open is exit 2 at start, saying why in a few words", async () => {
    const env = configEnv();
    const dir = tempConfigDir();
    for (const [path, why] of [
      [join(dir.dir, "no", "such", "log.ndjson"), "no such file or folder"],
      [dir.dir, "it is a directory"],
    ] as const) {
      const r = await runCli(["webhooks", "listen", "--local", "--tunnel", "none", "--forward", "3000", "--log-file", path], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`error: cannot open --log-file "${path}": ${why}\nhint: pass a file in a folder that exists and that you can write to\n`);
    }
    dir.cleanup();
  });

  it("refuses at start (exit 2) a --headers value the HTTP layer cannot send: non-Latin-1 text, a control character", async () => {
    const env = configEnv();
    for (const [value, codePoint] of [["東京", "U+6771"], ["a\x1b[31mb", "U+001B"]] as const) {
      const run = await runCli(["webhooks", "listen", "--local", "--forward", "3000/webhooks", "--no-tui", "--headers", `X-A:${value}`], { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^error: --headers value for x-a cannot be sent over HTTP \\(${codePoint.replace("+", "\\+")}\\)$`, "m"));
      expect(run.stderr).toMatch(/^hint: a header value is Latin-1 text/m);
      expect(run.stderr).not.toContain("\x1b");
    }
  });

  it("--forward twice, one with a pattern: each delivery goes to every target that takes it, a line for each", async () => {
    const env = configEnv();
    const draws = await target();
    const all = await target((_req, res) => res.writeHead(202).end());
    const session = await listen(["--forward", `draw.*=${draws.url}/d`, "--forward", `${all.url}/a`], env);
    expect(session.cli.stderr()).toContain(`forward   ${draws.url}/d  (draw.*)`);
    expect(session.cli.stderr()).toContain(`forward   ${all.url}/a`);

    const won = signedDelivery(session.secret, Buffer.from('{"type":"draw.consumer.won"}'), "whk_both");
    expect((await send(session.receiverUrl, won)).status).toBe(200);
    expect(draws.received).toHaveLength(1);
    expect(all.received).toHaveLength(1);
    expect(draws.received[0]!.body.equals(all.received[0]!.body)).toBe(true);
    expect(signedWith(session.secret, draws.received[0]!)).toBe(true);
    expect(signedWith(session.secret, all.received[0]!)).toBe(true);
    await session.cli.waitFor(new RegExp(`<-- \\[200\\] POST ${draws.url}/d \\[whk_both\\]`));
    await session.cli.waitFor(new RegExp(`<-- \\[202\\] POST ${all.url}/a \\[whk_both\\]`));

    const other = signedDelivery(session.secret, Buffer.from("{}"), "whk_one", "queue.consumer.joined");
    expect((await send(session.receiverUrl, other)).status).toBe(202);
    expect(draws.received).toHaveLength(1);
    expect(all.received).toHaveLength(2);

    // check tests one handler: with two apps behind listen, it asks which (the session file names both).
    const check = await runCli(["webhooks", "check", "--json"], { env });
    expect(check.code).toBe(2);
    expect(JSON.parse(check.stderr).error).toMatchObject({ code: "ambiguous_target", message: expect.stringContaining(`draw.*=${draws.url}/d, ${all.url}/a`) });

    // One target down: the sender gets 502 naming it, even though the other answered.
    await draws.close();
    const down = await send(session.receiverUrl, signedDelivery(session.secret, Buffer.from("{}"), "whk_down"));
    expect(down.status).toBe(502);
    expect(JSON.parse(down.body)).toEqual({ error: "connection refused", target: `${draws.url}/d` });
    expect(all.received).toHaveLength(3);

    // A pattern that takes no documented event is probably a typo: said, not refused.
    const typo = await listen(["--forward", `drwa.*=${all.url}`], configEnv());
    expect(typo.cli.stderr()).toMatch(/^warning: --forward pattern "drwa\.\*" matches no documented event type/m);
  });

  it("on SIGTERM stops taking deliveries but lets one in flight be answered, then exits 130", async () => {
    const env = configEnv();
    let answer: (() => void) | null = null;
    const app = await target((_req, res) => {
      answer = () => res.writeHead(200, { "content-type": "text/plain" }).end("late but fine");
    });
    const session = await listen(["--forward", app.url], env);
    const reply = send(session.receiverUrl, signedDelivery(session.secret, Buffer.from("{}"), "whk_inflight"));
    await waitUntil(() => app.received.length === 1 || undefined, 10_000, "the delivery to reach the app");
    const stopped = session.cli.stop("SIGTERM");
    // Stopping has begun: new deliveries are refused while the one in flight still waits for its answer.
    await waitUntil(
      async () => (await send(session.receiverUrl, { body: "{}" }).then(() => undefined, () => true)),
      10_000,
      "the receiver to stop taking deliveries",
    );
    answer!();
    expect(await reply).toMatchObject({ status: 200, body: "late but fine" });
    expect(await stopped).toEqual({ code: 130, signal: null });
    expect(session.cli.stdout()).toMatch(/<-- \[200\] .*\[whk_inflight\]/);
  });

  it("says the app is down at start, before any delivery, and back when it answers (lines, and NDJSON with --json)", async () => {
    const env = configEnv();
    const port = await freePort();
    const session = await listen(["--forward", `127.0.0.1:${port}/hook`], env);
    await session.cli.waitFor(new RegExp(`\\d\\d:\\d\\d:\\d\\d !!! app down: http://127\\.0\\.0\\.1:${port} \\(connection refused\\)`));
    const app = await target(undefined, port);
    expect((await send(session.receiverUrl, signedDelivery(session.secret, Buffer.from("{}"), "whk_back"))).status).toBe(200);
    await session.cli.waitFor(new RegExp(`\\.\\.\\. app back: http://127\\.0\\.0\\.1:${port}`));
    expect(app.received).toHaveLength(1);

    const port2 = await freePort();
    const json = await listen(["--forward", `127.0.0.1:${port2}`, "--json"], configEnv());
    const line = await json.cli.waitFor(/\{"notice":"app".*\}\n/);
    expect(JSON.parse(line[0])).toMatchObject({ notice: "app", state: "down", target: `http://127.0.0.1:${port2}`, reason: "connection refused" });
  });
});
