import { readFileSync } from "node:fs";
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { deliveryHeaders } from "../../src/signing/headers.js";
import { signPayload } from "../../src/signing/signature.js";
import { apiFor } from "../emulator/helpers.js";
import { cleanEnv, startSpawnedCli } from "../helpers/cli.js";
import { testScope } from "../helpers/scope.js";
import { send } from "../listen/servers.js";

/**
 * listen and the emulator as processes of their own, as the internet (through the tunnel) and a
 * crash would meet them: listen's memory is read from /proc while it is flooded, so the test sees
 * what the machine sees.
 */
const scope = testScope();

/** VmHWM (the peak resident set) of a process, in MB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** One POST of `body`; resolves with the status, or "closed" when listen hung up mid-upload. */
function post(url: string, body: Buffer): Promise<number | "closed"> {
  return new Promise((resolve) => {
    const req = request(url, { method: "POST", agent: false, headers: { "content-length": body.length } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    });
    req.on("error", () => resolve("closed"));
    req.end(body);
  });
}

describe("listen under a flood of large bodies", () => {
  it("100 concurrent 9.9 MB posts: memory stays within budget, senders are told to retry, a valid delivery still goes through", async () => {
    const app = await scope.target();
    const env = cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() });
    const cli = await scope.listen(["--forward", app.url, "--no-tui"], env, { spawned: true });
    const receiverUrl = cli.stderr().match(/receiver\s+(http:\S+)/)![1]!;
    const secret = cli.stderr().match(/secret\s+(whsec_\S+)/)![1]!;

    const body = Buffer.alloc(Math.floor(9.9 * 1024 * 1024), 120);
    const results = await Promise.all(Array.from({ length: 100 }, () => post(receiverUrl, body)));
    const answered = results.filter((r) => r === 200).length;
    const refused = results.filter((r) => r === 503 || r === "closed").length;
    expect(answered + refused).toBe(100);
    // The budget holds a handful of bodies at a time; the rest are told to come back.
    expect(answered).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(peakRssMb(cli.pid)).toBeLessThan(400);

    const payload = Buffer.from(JSON.stringify({ id: "whk_after_flood", type: "order.created", data: {} }));
    const timestamp = Math.floor(Date.now() / 1000);
    const valid = await send(receiverUrl, {
      body: payload,
      headers: deliveryHeaders({
        eventType: "order.created",
        deliveryId: "whk_after_flood",
        timestamp,
        signature: signPayload(secret, payload, "v1", timestamp),
      }),
    });
    expect(valid.status).toBe(200);
    expect(app.received.at(-1)!.body.equals(payload)).toBe(true);
  });
});

describe("listen and bodies that stall", () => {
  it("drops connections that stop sending within 20 s, while valid deliveries go through", async () => {
    const app = await scope.target();
    const env = cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() });
    const cli = await scope.listen(["--forward", app.url, "--no-tui"], env, { spawned: true });
    const receiverUrl = cli.stderr().match(/receiver\s+(http:\S+)/)![1]!;
    const started = Date.now();
    const stalled = Array.from(
      { length: 50 },
      () =>
        new Promise<number>((resolve) => {
          const req = request(receiverUrl, { method: "POST", agent: false, headers: { "content-length": 1000 } });
          req.on("error", () => resolve(Date.now() - started));
          req.on("response", () => resolve(Date.now() - started));
          req.write("{");
        }),
    );
    expect((await send(receiverUrl, { body: "{}" })).status).toBe(200);
    const closedAfter = await Promise.all(stalled);
    expect(Math.max(...closedAfter)).toBeLessThan(20_000);
    expect(app.received).toHaveLength(1);
  }, 30_000);
});


describe("the emulator killed with -9", () => {
  it("loses no change it acknowledged", async () => {
    const dataDir = scope.configDir();
    const env = cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() });
    const args = ["webhooks", "emulator", "--port", "0", "--json", "--data-dir", dataDir, "--api-key", "sk_test_durable0000"];
    const first = startSpawnedCli(args, { env });
    scope.defer(() => first.stop("SIGKILL"));
    const { url } = JSON.parse((await first.waitFor(/\{"url".*\}/))[0]) as { url: string };
    const api = apiFor(url, "sk_test_durable0000");
    const created = await Promise.all(
      Array.from({ length: 25 }, (_, i) => api("POST", "/webhooks", { url: `https://example.com/${i}`, events: ["order.created"] })),
    );
    expect(created.every((r) => r.status === 201)).toBe(true);
    // kill -9 right after the last answer: no clean-up, no last write.
    await first.stop("SIGKILL");

    const second = startSpawnedCli(args, { env });
    scope.defer(() => second.stop("SIGKILL"));
    const restarted = JSON.parse((await second.waitFor(/\{"url".*\}/))[0]) as { url: string };
    const listed = await apiFor(restarted.url, "sk_test_durable0000")("GET", "/webhooks");
    expect(listed.body.data.map((e: { id: string }) => e.id).sort()).toEqual(created.map((r) => r.body.id).sort());
  });
});
