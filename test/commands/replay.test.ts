import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { deliveryHeaders } from "../../src/signing/headers.js";
import { signPayload, verifySignature } from "../../src/signing/signature.js";
import { cleanEnv, runCli, type CliResult } from "../helpers/cli.js";
import { testScope } from "../helpers/scope.js";
import { waitUntil } from "../helpers/wait.js";
import { freePort, send, type Captured } from "../listen/servers.js";

// Replay end to end: a real listen with --log-file captures real deliveries (trigger's, and a
// binary body sent straight to its receiver), then replay re-sends them to a second receiver that
// verifies them with its own secret and compares the bytes.

const scope = testScope();
const REPLAY_SECRET = "whsec_cmVwbGF5U2VjcmV0Rm9yVGhlU2Vjb25kQXBw";

function expectCode(r: CliResult, code: number) {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(code);
}

/** Whether a request carries a current, valid signature of its body for `secret`, in either header set. */
function verified(secret: string, got: Captured): boolean {
  const h = got.headers as Record<string, string | undefined>;
  const standard = h["x-fanfare-signature"] === undefined;
  return verifySignature({
    secret,
    payload: got.body,
    signature: standard ? h["webhook-signature"] : h["x-fanfare-signature"],
    timestamp: standard ? h["webhook-timestamp"] : h["x-fanfare-timestamp"],
    id: h["webhook-id"],
    now: Math.floor(Date.now() / 1000),
  }).valid;
}

/** A listen with --log-file that has captured four deliveries; the log's path and what the app got. */
async function capture() {
  const env = cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() });
  const app = await scope.target();
  const logFile = join(env.FANFARE_CONFIG_DIR!, "deliveries.ndjson");
  const listen = await scope.listen(["--forward", `${app.url}/hooks`, "--log-file", logFile], env);
  const receiverUrl = listen.stderr().match(/receiver\s+(http:\S+)/)![1]!;
  const secret = listen.stderr().match(/secret\s+(whsec_\S+)/)![1]!;

  expectCode(await runCli(["webhooks", "trigger", "draw.consumer.won", "order.created"], { env }), 0);
  expectCode(await runCli(["webhooks", "trigger", "order.completed", "--scheme", "standard"], { env }), 0);
  // Bytes that are not UTF-8 go into the log as base64, and must come back the same.
  const binary = Buffer.concat([Buffer.from('{"type":"draw.consumer.lost","raw":"'), Buffer.from([0xff, 0xfe, 0x00, 0x9b]), Buffer.from('"}')]);
  const ts = Math.floor(Date.now() / 1000);
  const headers = deliveryHeaders({ eventType: "draw.consumer.lost", deliveryId: "whk_binary", timestamp: ts, signature: signPayload(secret, binary, "v1", ts) });
  expect((await send(receiverUrl, { headers, body: binary })).status).toBe(200);

  await waitUntil(() => readFileSync(logFile, "utf8").split("\n").filter(Boolean).length === 4, 10_000, "four lines in the log");
  await listen.stop("SIGTERM");
  expect(app.received).toHaveLength(4);
  // listen verified all four, the Standard Webhooks one included, and forwarded its webhook-* headers.
  expect(listen.stdout()).not.toMatch(/✗/);
  expect(app.received[2]!.headers["webhook-signature"]).toMatch(/^v1,/);
  return { env, logFile, original: app.received };
}

describe("webhooks replay", () => {
  it("re-sends captured deliveries signed afresh: same bytes, same ids, a fresh valid signature; bad lines are skipped by number", async () => {
    const { env, logFile, original } = await capture();
    appendFileSync(logFile, '{"not":"a delivery"}\n{"seq":9,"id":"whk_cut","eventType":"order.cr');
    const second = await scope.target();
    const r = await runCli(["webhooks", "replay", logFile, "--forward-to", `${second.url}/other`, "--secret", REPLAY_SECRET], { env });
    expectCode(r, 0);
    expect(r.stderr).toMatch(/warning: line 5 of .*deliveries\.ndjson skipped: no request headers/);
    expect(r.stderr).toMatch(/warning: line 6 of .*deliveries\.ndjson skipped: not JSON/);
    expect(r.stdout).toMatch(/4 sent, 4 ok, 0 failed/);

    expect(second.received).toHaveLength(4);
    for (const [i, got] of second.received.entries()) {
      const before = original[i]!;
      expect(got.url).toBe("/other");
      expect(got.body.equals(before.body)).toBe(true);
      expect(verified(REPLAY_SECRET, got)).toBe(true);
      // Signed afresh: not the signature listen's secret made.
      expect(got.headers["x-fanfare-signature"] ?? got.headers["webhook-signature"]).not.toBe(
        before.headers["x-fanfare-signature"] ?? before.headers["webhook-signature"],
      );
      expect(got.headers["x-fanfare-delivery-id"] ?? got.headers["webhook-id"]).toBe(
        before.headers["x-fanfare-delivery-id"] ?? before.headers["webhook-id"],
      );
    }
    // The standard delivery goes out in the standard scheme, which the library accepts.
    const standard = second.received[2]!;
    expect(standard.headers["x-fanfare-signature"]).toBeUndefined();
    expect(new Webhook(REPLAY_SECRET).verify(standard.body.toString(), standard.headers as Record<string, string>)).toMatchObject({
      type: "order.completed",
    });
  });

  it("--as-recorded sends the original bytes and headers; --event and --id choose; --json lines like trigger's", async () => {
    const { env, logFile, original } = await capture();
    const second = await scope.target();
    const r = await runCli(["webhooks", "replay", logFile, "--forward-to", second.url, "--as-recorded", "--event", "draw.*", "--json"], { env });
    expectCode(r, 0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.slice(0, -1).map((l) => l.event)).toEqual(["draw.consumer.won", "draw.consumer.lost"]);
    expect(lines[0]).toMatchObject({ status: 200, ok: true, url: `${second.url}/` });
    expect(lines.at(-1).summary).toMatchObject({ sent: 2, ok: 2, failed: 0 });
    const picked = [original[0]!, original[3]!];
    for (const [i, got] of second.received.entries()) {
      expect(got.body.equals(picked[i]!.body)).toBe(true);
      for (const name of ["x-fanfare-signature", "x-fanfare-timestamp", "x-fanfare-delivery-id", "x-fanfare-event-type", "user-agent", "content-type"]) {
        expect([name, got.headers[name]]).toEqual([name, picked[i]!.headers[name]]);
      }
    }

    const id = JSON.parse(original[1]!.body.toString()).id as string;
    const one = await runCli(["webhooks", "replay", logFile, "--forward-to", second.url, "--id", id, "--secret", REPLAY_SECRET], { env });
    expectCode(one, 0);
    expect(second.received).toHaveLength(3);
    expect(second.received[2]!.body.equals(original[1]!.body)).toBe(true);
  });

  it("a recorded signature that cannot be read → exit 2 naming the line, the header and why, nothing sent; --scheme or --as-recorded sends it", async () => {
    const env = cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() });
    const logFile = join(env.FANFARE_CONFIG_DIR!, "junk.ndjson");
    const record = (id: string, signature: string) =>
      JSON.stringify({ id, eventType: "order.created", headers: { "x-fanfare-signature": signature, "x-fanfare-timestamp": "1700000000" }, body: `{"id":"${id}"}` });
    writeFileSync(
      logFile,
      [record("whk_good", `t=1700000000,v1=${"a".repeat(64)}`), record("whk_junk", "t=1700000000,v1=zz\u001b[2J"), record("whk_plain", "sha256=nothex")].join("\n") + "\n",
    );
    const app = await scope.target();

    // No secret anywhere (no flag, env, listen or stored one): trigger's error, plus replay's way out.
    const unsigned = await runCli(["webhooks", "replay", logFile, "--forward-to", app.url], { env });
    expectCode(unsigned, 2);
    expect(unsigned.stderr).toMatch(/^error: no signing secret\nhint: pass --secret whsec_… or export FANFARE_WEBHOOK_SECRET=whsec_… .*, or --as-recorded\n$/);

    const refused = await runCli(["webhooks", "replay", logFile, "--forward-to", app.url, "--secret", REPLAY_SECRET], { env });
    expectCode(refused, 2);
    expect(refused.stderr).toMatch(
      /^error: line 2 of .*junk\.ndjson \(whk_junk\): the recorded X-Fanfare-Signature cannot be read, so its scheme is unknown: the v1= signature .*\nhint: pass --scheme v1\|sha256\|hex\|standard to sign it afresh in that scheme, or --as-recorded to send it as it came\n$/,
    );
    // What the sender put in the header reaches the terminal escaped.
    expect(refused.stderr).not.toContain("\u001b");
    expect(app.received).toHaveLength(0);

    const chosen = await runCli(["webhooks", "replay", logFile, "--forward-to", app.url, "--secret", REPLAY_SECRET, "--scheme", "v1"], { env });
    expectCode(chosen, 0);
    expect(app.received).toHaveLength(3);
    expect(app.received.every((got) => verified(REPLAY_SECRET, got))).toBe(true);
    const asIs = await runCli(["webhooks", "replay", logFile, "--forward-to", app.url, "--as-recorded", "--id", "whk_plain"], { env });
    expectCode(asIs, 0);
    expect(app.received[3]!.headers["x-fanfare-signature"]).toBe("sha256=nothex");
  });

  it("signs with the secret trigger would use: a running listen's beats FANFARE_WEBHOOK_SECRET, for trigger and replay alike", async () => {
    const dir = scope.configDir();
    const app = await scope.target();
    const listen = await scope.listen(["--forward", `${app.url}/hooks`], cleanEnv({ FANFARE_CONFIG_DIR: dir }));
    const listenSecret = listen.stderr().match(/secret\s+(whsec_\S+)/)![1]!;
    // The environment names another secret (an app configured for something else).
    const env = cleanEnv({ FANFARE_CONFIG_DIR: dir, FANFARE_WEBHOOK_SECRET: REPLAY_SECRET });
    expect(listenSecret).not.toBe(REPLAY_SECRET);

    expectCode(await runCli(["webhooks", "trigger", "order.created"], { env }), 0);
    const logFile = join(dir, "one.ndjson");
    const body = '{"id":"whk_replayed","type":"order.created"}';
    const headers = deliveryHeaders({ eventType: "order.created", deliveryId: "whk_replayed", timestamp: 1_700_000_000, signature: signPayload(REPLAY_SECRET, body, "v1", 1_700_000_000) });
    writeFileSync(logFile, JSON.stringify({ id: "whk_replayed", eventType: "order.created", headers, body }) + "\n");
    const replayed = await runCli(["webhooks", "replay", logFile], { env });
    expectCode(replayed, 0);
    expect(replayed.stderr).toMatch(/to the running listen at /);

    await waitUntil(() => app.received.length === 2, 10_000, "both deliveries at the app");
    for (const got of app.received) {
      expect(verified(listenSecret, got)).toBe(true);
      expect(verified(REPLAY_SECRET, got)).toBe(false);
    }
    expect(app.received[1]!.body.toString()).toBe(body);
    // listen verified both with its own secret: nothing flagged.
    expect(listen.stdout()).not.toMatch(/✗/);
  });

  it("a delivery whose event type cannot go in a header fails alone: the next is still sent, the summary printed, exit 1", async () => {
    const env = cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() });
    const logFile = join(env.FANFARE_CONFIG_DIR!, "hostile.ndjson");
    // Anyone who reaches listen's tunnel can send a body whose type is not Latin-1 (listen records
    // the type from the body when there is no X-Fanfare-Event-Type header).
    const record = (id: string, eventType: string) => {
      const body = JSON.stringify({ id, type: eventType });
      const headers = deliveryHeaders({ eventType: "order.created", deliveryId: id, timestamp: 1_700_000_000, signature: signPayload(REPLAY_SECRET, body, "v1", 1_700_000_000) });
      return JSON.stringify({ id, eventType, headers, body });
    };
    writeFileSync(logFile, [record("whk_1", "order.created"), record("whk_2", "order.東京"), record("whk_3", "order.completed")].join("\n") + "\n");
    const app = await scope.target();

    const r = await runCli(["webhooks", "replay", logFile, "--forward-to", `${app.url}/webhooks`, "--secret", REPLAY_SECRET], { env });
    expectCode(r, 1);
    const results = r.stdout.trim().split("\n");
    expect(results).toHaveLength(4);
    expect(results[0]).toMatch(/order\.created .*whk_1.*200/);
    expect(results[1]).toMatch(/order\.東京 .*whk_2.*invalid x-fanfare-event-type header value \(not sendable over HTTP: U\+6771\)/);
    expect(results[2]).toMatch(/order\.completed .*whk_3.*200/);
    expect(results[3]).toMatch(/3 sent, 2 ok, 1 failed/);
    expect(r.stderr).toMatch(/1 of 3 replayed deliveries failed \(first: order\.東京 \[whk_2\] invalid x-fanfare-event-type header value/);
    expect(app.received.map((got) => got.headers["x-fanfare-delivery-id"])).toEqual(["whk_1", "whk_3"]);
  });

  it("exits like trigger: 1 on a non-2xx or nothing listening, 2 when nothing matches or the log is unreadable", async () => {
    const { env, logFile } = await capture();
    const failing = await scope.target((_req, res) => res.writeHead(500).end("boom"));
    const failed = await runCli(["webhooks", "replay", logFile, "--forward-to", failing.url, "--secret", REPLAY_SECRET], { env });
    expectCode(failed, 1);
    expect(failed.stderr).toMatch(/4 of 4 replayed deliveries failed \(first: draw\.consumer\.won \[whk_\w+\] got 500\)/);

    const refused = await runCli(["webhooks", "replay", logFile, "--forward-to", String(await freePort()), "--secret", REPLAY_SECRET], { env });
    expectCode(refused, 1);
    expect(refused.stderr).toMatch(/connection refused/);

    const none = await runCli(["webhooks", "replay", logFile, "--forward-to", failing.url, "--event", "auction.*", "--secret", REPLAY_SECRET], { env });
    expectCode(none, 2);
    expect(none.stderr).toMatch(/none of the 4 deliveries .* match --event\/--id/);

    const foreign = join(env.FANFARE_CONFIG_DIR!, "foreign.ndjson");
    writeFileSync(foreign, "hello\n[1,2]\n");
    const empty = await runCli(["webhooks", "replay", foreign, "--forward-to", failing.url, "--secret", REPLAY_SECRET], { env });
    expectCode(empty, 2);
    expect(empty.stderr).toMatch(/line 1 .* skipped: not JSON/);
    expect(empty.stderr).toMatch(/line 2 .* skipped: not a JSON object/);
    expect(empty.stderr).toMatch(/no deliveries in/);
    // With --json every line of stderr is JSON: the skipped lines' warnings, then the error.
    const emptyJson = await runCli(["webhooks", "replay", foreign, "--forward-to", failing.url, "--secret", REPLAY_SECRET, "--json"], { env });
    expectCode(emptyJson, 2);
    expect(emptyJson.stderr.trim().split("\n").map((line) => JSON.parse(line))).toEqual([
      { warning: { message: expect.stringMatching(/^line 1 .* skipped: not JSON/) } },
      { warning: { message: expect.stringMatching(/^line 2 .* skipped: not a JSON object/) } },
      { error: expect.objectContaining({ code: "nothing_to_replay", exitCode: 2 }) },
    ]);

    const missing = await runCli(["webhooks", "replay", join(env.FANFARE_CONFIG_DIR!, "nope.ndjson"), "--forward-to", failing.url], { env });
    expectCode(missing, 2);
    expect(missing.stderr).toMatch(/cannot read the log .*no such file/);
    expect(failing.received).toHaveLength(4);
  });
});
