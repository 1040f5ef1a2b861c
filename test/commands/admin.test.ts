import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stripAnsi } from "../../src/terminal/style.js";
import { cleanEnv, runCli, tempConfigDir, type CliResult } from "../helpers/cli.js";
import { waitUntil } from "../helpers/wait.js";
import { sequence, startReceiver, type Receiver } from "../emulator/helpers.js";
import { signedWith } from "../helpers/signatures.js";
import { contractHttp } from "../contract/http.js";

const KEY = "sk_test_e2eAdminKey0123456789ABCD";

type Emulator = { url: string; apiKey: string; close: () => Promise<void> };
let emulator: Emulator;
let ok: Receiver;
let failing: Receiver;
let config: { dir: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const { startEmulator } = await import("../../src/emulator/index.js");
  // 100 000× faster: the whole six-attempt schedule (about 10.6 h) takes under half a second.
  emulator = (await startEmulator({ port: 0, timeScale: 100_000, apiKeys: [KEY] })) as Emulator;
  ok = await startReceiver(sequence(200));
  failing = await startReceiver(sequence(500));
  config = tempConfigDir();
  env = cleanEnv({ FANFARE_CONFIG_DIR: config.dir, FANFARE_API_BASE: emulator.url, FANFARE_SECRET_KEY: KEY });
});

afterAll(async () => {
  await emulator?.close();
  await ok?.close();
  await failing?.close();
  config?.cleanup();
});

/** Every request the CLI makes here, and every answer, is held against docs/admin-api.openapi.yaml. */
const contract = contractHttp();
afterEach(() => {
  expect(contract.problems).toEqual([]);
});
afterAll(() => {
  expect(contract.checked()).toBeGreaterThan(20);
});

function cli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; tty?: boolean } = {}): Promise<CliResult> {
  return runCli(args, { env: options.env ?? env, input: options.input, tty: options.tty, http: contract.http });
}
const endpoints = (...args: string[]) => cli(["webhooks", "endpoints", ...args]);
const deliveries = (...args: string[]) => cli(["webhooks", "deliveries", ...args]);

function expectOk(r: CliResult) {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
}

describe("endpoints and deliveries through the CLI, against the emulator", () => {
  let id = "";
  let secret = "";
  let deliveryId = "";

  it("create prints the secret alone on stdout, once, with a warning", async () => {
    const r = await endpoints("create", "--url", ok.url, "--events", "draw.consumer.won, order.created", "--description", "e2e");
    expectOk(r);
    expect(r.stdout).toMatch(/^whsec_\S+\n$/);
    secret = r.stdout.trim();
    expect(r.stderr).toMatch(/created endpoint (we_\S+)/);
    expect(r.stderr).toMatch(/warning: this signing secret is shown once, in full/);
    expect(r.stderr).not.toContain(secret);
    id = /created endpoint (\S+)/.exec(r.stderr)![1]!;
  });

  it("list and get show it with the secret masked", async () => {
    const list = await endpoints("list");
    expectOk(list);
    expect(list.stdout).toMatch(/^ID\s+STATUS\s+URL\s+EVENTS\s+DESCRIPTION$/m);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toMatch(/enabled/);

    const json = await endpoints("list", "--json");
    const parsed = JSON.parse(json.stdout) as Array<{ id: string; secret: string; events: string[] }>;
    const mine = parsed.find((e) => e.id === id)!;
    expect(mine.events).toEqual(["draw.consumer.won", "order.created"]);
    expect(mine.secret).not.toBe(secret);
    expect(mine.secret).toMatch(/^whsec_•+/);

    const get = await endpoints("get", id);
    expectOk(get);
    expect(get.stdout).toMatch(new RegExp(`id\\s+${id}`));
    expect(get.stdout).toMatch(/secret\s+whsec_•+/);
    for (const r of [list, json, get]) expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it("test sends a signed delivery with the --set override; deliveries list and get show it", async () => {
    const r = await endpoints("test", id, "draw.consumer.won", "--set", "data.position=5");
    expectOk(r);
    expect(r.stdout).toMatch(/^sent draw\.consumer\.won to \S+: delivery whk_\S+ /);
    deliveryId = /delivery (whk_\S+)/.exec(r.stdout)![1]!;

    const first = await waitUntil(() => ok.received[0]);
    expect(JSON.parse(first.body.toString())).toMatchObject({ id: deliveryId, type: "draw.consumer.won", data: { position: 5 } });
    expect(signedWith(secret, first)).toBe(true);

    const list = await deliveries("list", id);
    expectOk(list);
    expect(list.stdout).toMatch(/^ID\s+EVENT\s+STATUS\s+ATTEMPTS\s+LAST\s+CREATED$/m);
    expect(list.stdout).toMatch(new RegExp(`${deliveryId}\\s+draw\\.consumer\\.won\\s+succeeded\\s+1\\s+200`));
    const listJson = JSON.parse((await deliveries("list", id, "--status", "succeeded", "--limit", "5", "--json")).stdout);
    expect(listJson.map((d: { id: string }) => d.id)).toContain(deliveryId);

    const get = await deliveries("get", id, deliveryId);
    expectOk(get);
    expect(get.stdout).toMatch(/x-fanfare-signature: t=\d+,v1=[0-9a-f]{64}/i);
    expect(get.stdout).toContain('"position": 5');
    expect(get.stdout).toMatch(/^ATTEMPT\s+TIME\s+RESULT\s+DURATION$/m);
    expect(get.stdout).toMatch(/^1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+200\s+\d+ ms$/m);
    const getJson = JSON.parse((await deliveries("get", id, deliveryId, "--json")).stdout);
    expect(getJson.request.body).toBe(first.body.toString());
  });

  it("redeliver sends the byte-identical body again", async () => {
    const before = ok.received.length;
    const r = await deliveries("redeliver", id, deliveryId);
    expectOk(r);
    expect(r.stdout).toMatch(new RegExp(`^redelivered ${deliveryId} \\(attempt 2\\): succeeded \\(200\\)`));
    const again = await waitUntil(() => ok.received[before]);
    expect(again.body.equals(ok.received[0]!.body)).toBe(true);
    expect(again.headers["x-fanfare-delivery-id"]).toBe(deliveryId);
  });

  it("test reads --set as trigger does: array indexes, money stays a decimal string (regression)", async () => {
    const before = ok.received.length;
    const r = await endpoints("test", id, "order.created", "--set", "data.items.0.quantity=2", "--set", "data.amount=10.00");
    expectOk(r);
    const { data } = JSON.parse((await waitUntil(() => ok.received[before])).body.toString()) as {
      data: { items: Array<{ quantity: unknown }>; amount: unknown };
    };
    expect(Array.isArray(data.items)).toBe(true);
    expect(data.items[0]!.quantity).toBe(2);
    expect(data.amount).toBe("10.00");
  });

  it("pause stops deliveries; resume brings them back", async () => {
    expectOk(await endpoints("pause", id));
    expect((await endpoints("get", id)).stdout).toMatch(/status\s+paused/);
    const before = ok.received.length;
    const paused = await endpoints("test", id, "draw.consumer.won");
    expect(paused.code).not.toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(ok.received.length).toBe(before);

    const resumed = await endpoints("resume", id);
    expectOk(resumed);
    expect(resumed.stdout).toBe(`resumed endpoint ${id} (${ok.url})\n`);
    expectOk(await endpoints("test", id, "draw.consumer.won"));
    await waitUntil(() => ok.received.length > before);
  });

  it("rotate-secret prints the new secret alone; deliveries then verify with it", async () => {
    const r = await endpoints("rotate-secret", id);
    expectOk(r);
    expect(r.stdout).toMatch(/^whsec_\S+\n$/);
    const rotated = r.stdout.trim();
    expect(rotated).not.toBe(secret);
    expect(r.stderr).toMatch(/warning: this signing secret is shown once/);
    const before = ok.received.length;
    expectOk(await endpoints("test", id, "order.created"));
    const delivery = await waitUntil(() => ok.received[before]);
    expect(signedWith(rotated, delivery)).toBe(true);
    expect(signedWith(secret, delivery)).toBe(false);
    secret = rotated;
  });

  it("health reports the endpoint healthy", async () => {
    const r = await endpoints("health", id);
    expectOk(r);
    expect(r.stdout).toMatch(/healthy\s+yes/);
    expect(r.stdout).toMatch(/success rate\s+\d+\.\d %/);
    const json = JSON.parse((await endpoints("health", id, "--json")).stdout);
    expect(json).toMatchObject({ id, healthy: true });
  });

  it("update changes events and description", async () => {
    const r = await endpoints("update", id, "--events", "order.created", "--description", "renamed", "--json");
    expectOk(r);
    expect(JSON.parse(r.stdout)).toMatchObject({ id, events: ["order.created"], description: "renamed" });
    expect(r.stdout).not.toContain(secret);
  });

  it("delete on a terminal asks first: anything but y keeps the endpoint (exit 1, with what to do)", async () => {
    const r = await cli(["webhooks", "endpoints", "delete", id], { input: "n\n", tty: true });
    expect(r.code).toBe(1);
    const stderr = stripAnsi(r.stderr);
    expect(stderr).toContain(`Delete endpoint ${id} (`);
    expect(stderr).toMatch(new RegExp(`error: not deleted: ${id} is kept\\nhint: answer y to delete it, or pass --yes to skip the question\\n$`));
    expectOk(await endpoints("get", id));
  });

  it("delete --yes removes it; get then fails with exit 1, not found", async () => {
    const r = await endpoints("delete", id, "--yes");
    expectOk(r);
    expect(r.stdout).toBe(`deleted endpoint ${id}\n`);
    const get = await endpoints("get", id);
    expect(get.code).toBe(1);
    expect(get.stderr).toMatch(new RegExp(`^error: no such endpoint ${id}`));
    expect(get.stderr).toMatch(/hint: list endpoints with `fanfare webhooks endpoints list`/);
  });
});

describe("a failing receiver", () => {
  it("every attempt of the schedule shows in deliveries get", async () => {
    const created = await endpoints("create", "--url", failing.url, "--events", "draw.consumer.won", "--json");
    expectOk(created);
    const endpoint = JSON.parse(created.stdout) as { id: string; secret: string };
    expect(endpoint.secret).toMatch(/^whsec_/);

    const test = await endpoints("test", endpoint.id, "draw.consumer.won");
    expect(test.code).toBe(1);
    const did = /delivery (whk_\S+)/.exec(test.stdout)![1]!;

    const final = await waitUntil(async () => {
      const r = await deliveries("get", endpoint.id, did, "--json");
      const d = JSON.parse(r.stdout) as { status: string };
      return d.status === "permanently_failed" ? d : undefined;
    }, 10_000);
    expect(final).toBeTruthy();
    expect(failing.received.length).toBeGreaterThanOrEqual(6);

    const get = await deliveries("get", endpoint.id, did);
    expectOk(get);
    expect(get.stdout).toMatch(/status\s+permanently_failed/);
    const attemptRows = get.stdout.split("\n").filter((l) => /^\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+500\s+/.test(l));
    expect(attemptRows).toHaveLength(6);

    const failed = await deliveries("list", endpoint.id, "--status", "permanently_failed");
    expect(failed.stdout).toContain(did);
    const unhealthy = await endpoints("health", endpoint.id, "--json");
    expect(JSON.parse(unhealthy.stdout).healthy).toBe(false);
    // Unhealthy is a failed check: exit 1, for people and --json alike, with the table still printed.
    expect(unhealthy.code).toBe(1);
    const table = await endpoints("health", endpoint.id);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/healthy\s+no/);
    await endpoints("delete", endpoint.id, "--yes");
  });
});

describe("mistakes: one line, the right exit code", () => {
  it("no API key → exit 2 with the login hint", async () => {
    const r = await cli(["webhooks", "endpoints", "list"], { env: cleanEnv({ FANFARE_CONFIG_DIR: config.dir }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: no API key\nhint: run `fanfare login`, set FANFARE_SECRET_KEY, or start `fanfare webhooks emulator`\n",
    );
  });

  it("a wrong key → exit 1 with the 401 hint, and the key is not printed", async () => {
    const wrong = "sk_test_notTheRightKey00000000";
    const r = await cli(["webhooks", "endpoints", "list"], { env: { ...env, FANFARE_SECRET_KEY: wrong } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the API rejected the key \(401 /);
    expect(r.stderr).toMatch(/hint: run `fanfare login`, or check FANFARE_SECRET_KEY/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });

  it("--verbose logs each request with the key masked", async () => {
    const r = await cli(["webhooks", "endpoints", "list", "--verbose"]);
    expectOk(r);
    expect(r.stderr).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/api\/webhooks → 200 \d+ ms/);
    expect(r.stderr).toContain("sk_test_••••••••ABCD");
    expect(r.stderr).not.toContain(KEY);
  });

  it("an unknown event in --events → exit 2 before any request", async () => {
    const r = await endpoints("create", "--url", ok.url, "--events", "draw.consumer.won,nope.nothing");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.nothing/);
    expect(r.stderr.trimEnd().split("\n").length).toBeLessThanOrEqual(2);
  });

  it("the server's 422 is shown with its fields", async () => {
    const r = await endpoints("create", "--url", "ftp://example.com/hooks", "--events", "draw.consumer.won");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: invalid request: url: /);
  });

  it("delete without a terminal and without --yes → exit 2", async () => {
    const r = await endpoints("delete", "we_whatever");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: not deleting we_whatever without confirmation\nhint: pass --yes to delete without a prompt\n");
  });

  it("bad flags → exit 2", async () => {
    const status = await deliveries("list", "we_x", "--status", "lost");
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/^error: unknown status "lost"\nhint: use one of: pending, retrying, succeeded, failed, permanently_failed\n$/);
    const limit = await deliveries("list", "we_x", "--limit", "0");
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/^error: --limit must be a whole number from 1 to 100, not "0"/);
    const nothing = await endpoints("update", "we_x");
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/^error: nothing to update\n/);
    const both = await endpoints("update", "we_x", "--enable", "--disable");
    expect(both.code).toBe(2);
    const secret = await endpoints("create", "--url", ok.url, "--events", "draw.consumer.won", "--secret", "plain");
    expect(secret.code).toBe(2);
    expect(secret.stderr).toMatch(/^error: --secret must look like whsec_/);
  });

  it("test --data must be a JSON object file", async () => {
    const file = join(config.dir, "data.json");
    writeFileSync(file, "[1,2]");
    const r = await endpoints("test", "we_x", "draw.consumer.won", "--data", file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/must hold a JSON object/);
  });

  it("unknown endpoint and delivery ids → exit 1, not found", async () => {
    const r = await deliveries("get", "we_missing", "whk_missing");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: no such (delivery|endpoint)/);
  });
});

describe("an API that answers while the attempt is still in flight (pending)", () => {
  it("endpoints test and deliveries redeliver wait for the attempt and report how it ended: a slow 500 is exit 1, a slow 200 exit 0", async () => {
    const { startEmulator } = await import("../../src/emulator/index.js");
    // The emulator answers a test or a redelivery after 100 ms at most, while the receiver takes 600 ms.
    const quick = (await startEmulator({ port: 0, timeScale: 100_000, apiKeys: [KEY], replyWaitMs: 100 })) as Emulator;
    const answers = [500, 200];
    const slow = await startReceiver((n) => ({ status: answers[n] ?? 200, delayMs: 600 }));
    const dir = tempConfigDir();
    try {
      const quickEnv = cleanEnv({ FANFARE_CONFIG_DIR: dir.dir, FANFARE_API_BASE: quick.url, FANFARE_SECRET_KEY: KEY });
      const run = (...args: string[]) => runCli(["webhooks", ...args], { env: quickEnv });
      const created = JSON.parse((await run("endpoints", "create", "--url", slow.url, "--events", "order.created", "--json")).stdout) as { id: string };

      const tested = await run("endpoints", "test", created.id, "order.created", "--json");
      expect(tested.code, tested.stderr).toBe(1);
      const delivery = JSON.parse(tested.stdout) as { id: string; status: string; attempt: number; response: { statusCode: number } };
      expect(delivery).toMatchObject({ attempt: 1, response: { statusCode: 500 } });
      expect(delivery.status).not.toBe("pending");

      // The scaled retry schedule sends attempt 2 (a 200) almost at once; redelivery waits for it to end.
      await waitUntil(async () => {
        const got = await run("deliveries", "get", created.id, delivery.id, "--json");
        return (JSON.parse(got.stdout) as { status: string }).status === "succeeded";
      }, 10_000, "the retry to succeed");
      const redelivered = await run("deliveries", "redeliver", created.id, delivery.id);
      expect(redelivered.code, redelivered.stderr).toBe(0);
      expect(redelivered.stdout).toMatch(new RegExp(`^redelivered ${delivery.id} \\(attempt \\d+\\): succeeded \\(200\\)`));
    } finally {
      await quick.close();
      await slow.close();
      dir.cleanup();
    }
  }, 30_000);
});
