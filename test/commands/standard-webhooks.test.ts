import { writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../src/events/catalog.js";
import { startReceiver, type Receiver } from "../emulator/helpers.js";
import { cleanEnv, runCli, tempConfigDir, type CliResult } from "../helpers/cli.js";
import { waitUntil } from "../helpers/wait.js";

// Standard Webhooks end to end, judged by the `standardwebhooks` library (what handlers built on it
// or on svix run): trigger and the emulator send what it accepts; verify accepts what it signs.

const SECRET = "whsec_MfKQ9r8GKYqrTz3P0bEGfVqKjL2mNoPq";
const KEY = "sk_test_standardWebhooksKey0123456789";

interface Checked {
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** What the library's verify said: "ok" or its error message. */
  verdict: string;
}

let server: Server;
let url: string;
const checked: Checked[] = [];
let config: { dir: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;

/** A handler as a Standard Webhooks user writes it: 204 when the library verifies, 400 when not. */
function libraryHandler(secret: string, into: Checked[]) {
  const webhook = new Webhook(secret);
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      let verdict = "ok";
      try {
        webhook.verify(body.toString("utf8"), req.headers as Record<string, string>);
      } catch (error) {
        verdict = (error as Error).message;
      }
      into.push({ headers: req.headers, body, verdict });
      res.writeHead(verdict === "ok" ? 204 : 400).end();
    });
  });
}

beforeAll(async () => {
  server = libraryHandler(SECRET, checked);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  config = tempConfigDir();
  env = cleanEnv({ FANFARE_CONFIG_DIR: config.dir });
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  config?.cleanup();
});

function expectCode(r: CliResult, code: number) {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(code);
}

describe("trigger --scheme standard", () => {
  it("is accepted by the standardwebhooks library for every documented event", async () => {
    checked.length = 0;
    const r = await runCli(["webhooks", "trigger", "--all", "--scheme", "standard", "--forward-to", url, "--secret", SECRET, "--concurrency", "8"], {
      env,
      timeoutMs: 60_000,
    });
    expectCode(r, 0);
    expect(EVENT_TYPES.length).toBe(52);
    expect(checked).toHaveLength(EVENT_TYPES.length);
    expect(checked.filter((c) => c.verdict !== "ok")).toEqual([]);
    const types = new Set(checked.map((c) => c.headers["x-fanfare-event-type"]));
    expect(types).toEqual(new Set(EVENT_TYPES.map((e) => e.name)));
    for (const c of checked) {
      expect(c.headers["webhook-id"]).toBe(JSON.parse(c.body.toString()).id);
      expect(c.headers["x-fanfare-signature"]).toBeUndefined();
    }
    expect(r.stderr).toMatch(/standard signature/);
  });

  it("says exit 2, before sending, when the secret is not base64", async () => {
    const before = checked.length;
    const r = await runCli(["webhooks", "trigger", "order.created", "--scheme", "standard", "--forward-to", url, "--secret", "whsec_not-base64_at*all"], { env });
    expectCode(r, 2);
    expect(r.stderr).toMatch(/not valid base64 for --scheme standard/);
    expect(r.stderr).toMatch(/openssl rand -base64 24/);
    expect(checked.length).toBe(before);
  });
});

describe("verify --scheme standard", () => {
  const body = '{"id":"whk_01J1Z8Q6ZK3M4N5P6Q7R8S9T0V","type":"draw.consumer.won","data":{"amount":"149.99"}}';
  const id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
  let file: string;
  beforeAll(() => {
    file = join(config.dir, "standard-body.json");
    writeFileSync(file, body);
  });
  const verify = (...args: string[]) => runCli(["webhooks", "verify", "--payload", file, ...args], { env: { ...env, FANFARE_WEBHOOK_SECRET: SECRET } });
  const now = () => Math.floor(Date.now() / 1000);

  it("accepts what the library signs, with the scheme given or read from v1,", async () => {
    const ts = now();
    const signature = new Webhook(SECRET).sign(id, new Date(ts * 1000), body);
    const given = await verify("--scheme", "standard", "--id", id, "--timestamp", String(ts), "--signature", signature, "--json");
    expectCode(given, 0);
    expect(JSON.parse(given.stdout)).toMatchObject({ valid: true, scheme: "standard" });
    const detected = await verify("--id", `webhook-id: ${id}`, "--timestamp", String(ts), "--signature", `webhook-signature: ${signature}`);
    expectCode(detected, 0);
    expect(detected.stdout).toMatch(/valid signature \(standard/);
  });

  it("accepts several space-separated signatures, one of them right", async () => {
    const ts = now();
    const right = new Webhook(SECRET).sign(id, new Date(ts * 1000), body);
    const wrong = new Webhook("whsec_b3RoZXJzZWNyZXRvdGhlcnNlY3JldA==").sign(id, new Date(ts * 1000), body);
    expectCode(await verify("--id", id, "--timestamp", String(ts), "--signature", `${wrong} ${right}`), 0);
    const none = await verify("--id", id, "--timestamp", String(ts), "--signature", `${wrong} ${wrong}`, "--json");
    expectCode(none, 1);
    expect(JSON.parse(none.stdout)).toMatchObject({ valid: false, code: "mismatch", scheme: "standard" });
  });

  it("names the reason: tampered id, expired", async () => {
    const ts = now() - 600;
    const signature = new Webhook(SECRET).sign(id, new Date(ts * 1000), body);
    const expired = await verify("--id", id, "--timestamp", String(ts), "--signature", signature);
    expectCode(expired, 1);
    expect(expired.stderr).toMatch(/\(expired\).*600 s old/);
    const otherId = await verify("--id", "msg_other", "--timestamp", String(ts), "--signature", signature, "--tolerance", "0");
    expectCode(otherId, 1);
    expect(otherId.stderr).toMatch(/\(mismatch\)/);
  });

  it("is a usage error (exit 2) without --id or --timestamp, or with a secret that is not base64", async () => {
    const signature = new Webhook(SECRET).sign(id, new Date(), body);
    const noId = await verify("--timestamp", String(now()), "--signature", signature);
    expectCode(noId, 2);
    expect(noId.stderr).toMatch(/no --id/);
    const noTs = await verify("--scheme", "standard", "--id", id, "--signature", signature);
    expectCode(noTs, 2);
    expect(noTs.stderr).toMatch(/no --timestamp/);
    const badSecret = await verify("--secret", "whsec_not*base64", "--id", id, "--timestamp", String(now()), "--signature", signature);
    expectCode(badSecret, 2);
    expect(badSecret.stderr).toMatch(/not valid base64/);
  });
});

describe("endpoints --scheme standard on the emulator", () => {
  type Emulator = { url: string; close: () => Promise<void> };
  let emulator: Emulator;
  let receiver: Receiver;
  let apiEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const { startEmulator } = await import("../../src/emulator/index.js");
    emulator = (await startEmulator({ port: 0, timeScale: 100_000, apiKeys: [KEY] })) as Emulator;
    receiver = await startReceiver();
    apiEnv = cleanEnv({ FANFARE_CONFIG_DIR: config.dir, FANFARE_API_BASE: emulator.url, FANFARE_SECRET_KEY: KEY });
  });
  afterAll(async () => {
    await emulator?.close();
    await receiver?.close();
  });
  const endpoints = (...args: string[]) => runCli(["webhooks", "endpoints", ...args], { env: apiEnv });

  it("create generates a base64 secret and the emulator signs so that the library verifies", async () => {
    const created = await endpoints("create", "--url", receiver.url, "--events", "draw.consumer.won", "--scheme", "standard", "--json");
    expectCode(created, 0);
    const endpoint = JSON.parse(created.stdout) as { id: string; secret: string; scheme: string };
    expect(endpoint.scheme).toBe("standard");
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expectCode(await endpoints("test", endpoint.id, "draw.consumer.won"), 0);
    await waitUntil(() => receiver.received.length >= 1);
    const got = receiver.received.at(-1)!;
    expect(got.headers["x-fanfare-event-type"]).toBe("draw.consumer.won");
    expect(got.headers["x-fanfare-signature"]).toBeUndefined();
    expect(new Webhook(endpoint.secret).verify(got.body.toString("utf8"), got.headers as Record<string, string>)).toMatchObject({
      type: "draw.consumer.won",
    });
    const shown = await endpoints("get", endpoint.id);
    expect(shown.stdout).toMatch(/scheme\s+standard/);
  });

  it("update --scheme switches an endpoint both ways; a supplied secret that is not base64 is refused", async () => {
    const created = await endpoints("create", "--url", receiver.url, "--events", "order.created", "--json");
    const endpoint = JSON.parse(created.stdout) as { id: string; secret: string; scheme: string };
    expect(endpoint.scheme).toBe("v1");
    const updated = await endpoints("update", endpoint.id, "--scheme", "standard", "--json");
    expectCode(updated, 0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ scheme: "standard" });
    const before = receiver.received.length;
    expectCode(await endpoints("test", endpoint.id, "order.created"), 0);
    await waitUntil(() => receiver.received.length > before);
    const got = receiver.received.at(-1)!;
    expect(() => new Webhook(endpoint.secret).verify(got.body.toString("utf8"), got.headers as Record<string, string>)).not.toThrow();

    const refused = await endpoints("create", "--url", receiver.url, "--events", "order.created", "--scheme", "standard", "--secret", "whsec_not-base64_at*all");
    expectCode(refused, 2);
    expect(refused.stderr).toMatch(/not valid base64/);
    // An endpoint whose (supplied) secret is not base64 cannot switch: the API says so, naming rotate-secret.
    const v1Only = JSON.parse(
      (await endpoints("create", "--url", receiver.url, "--events", "order.created", "--secret", "whsec_not-base64_but-long-enough", "--json")).stdout,
    ) as { id: string };
    const switched = await endpoints("update", v1Only.id, "--scheme", "standard");
    expectCode(switched, 1);
    expect(switched.stderr).toMatch(/rotate/);
    const unknown = await endpoints("update", endpoint.id, "--scheme", "v9");
    expectCode(unknown, 2);
    expect(unknown.stderr).toMatch(/unknown signature scheme/);
  });
});
