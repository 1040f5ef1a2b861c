import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, emulatorEnv, spawnCli, startSpawnedCli, tempConfigDir, type RunningCli } from "../helpers/cli.js";
import { sessionStatePath } from "../../src/session/state-file.js";
import { signedWith } from "../helpers/signatures.js";
import { waitUntil } from "../helpers/wait.js";
import { startTarget, type Target } from "../listen/servers.js";

/**
 * The built binary, as users run it: one happy path per command, the signal policy of the
 * long-running ones, and a reader that stops early. Everything else runs in-process (test/commands/).
 */
const config = tempConfigDir();
let app: Target;
let emulator: RunningCli;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  app = await startTarget();
  emulator = startSpawnedCli(["webhooks", "emulator", "--port", "0", "--json", "--time-scale", "600"], {
    env: cleanEnv({ FANFARE_CONFIG_DIR: config.dir }),
  });
  env = await emulatorEnv(emulator, config.dir);
});

afterAll(async () => {
  await emulator?.stop("SIGKILL");
  await app?.close();
  config.cleanup();
});

describe("the binary", () => {
  it("--version, events, sample", async () => {
    const version = await spawnCli(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);

    const events = await spawnCli(["webhooks", "events", "--json"]);
    expect(events.code).toBe(0);
    expect((JSON.parse(events.stdout) as unknown[]).length).toBeGreaterThan(50);

    const sample = await spawnCli(["webhooks", "sample", "draw.consumer.won", "--json"]);
    expect(sample.code).toBe(0);
    expect(JSON.parse(sample.stdout)).toMatchObject({ type: "draw.consumer.won" });
  });

  it("a reader that stops early (| head) is not an error", async () => {
    // The reader goes away after the first chunk, as `fanfare webhooks events | head -1` does.
    const child = spawn(process.execPath, [BIN, "webhooks", "events"], { stdio: ["ignore", "pipe", "pipe"], env: cleanEnv() });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((res) => child.on("close", res));
    expect(code).toBe(0);
    expect(stderr).toBe("");
  });

  it("trigger and verify, with the secret from the environment", async () => {
    const secret = "whsec_binaryTestSecret0123456789";
    const sent = await spawnCli(["webhooks", "trigger", "order.created", "--forward-to", `${app.url}/hooks`], {
      env: cleanEnv({ FANFARE_WEBHOOK_SECRET: secret }),
    });
    expect(sent.code, sent.stderr).toBe(0);
    const delivery = app.received.at(-1)!;
    expect(delivery.url).toBe("/hooks");
    expect(signedWith(secret, delivery)).toBe(true);

    const body = join(config.dir, "body.json");
    writeFileSync(body, delivery.body);
    const verified = await spawnCli(
      ["webhooks", "verify", "--payload", body, "--signature", String(delivery.headers["x-fanfare-signature"]), "--json"],
      { env: cleanEnv({ FANFARE_WEBHOOK_SECRET: secret }) },
    );
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, scheme: "v1" });
  });

  it("login from stdin, config, endpoints, deliveries and logout against the emulator", async () => {
    const { FANFARE_SECRET_KEY: key, ...withoutKey } = env;
    const login = await spawnCli(["login", "--json"], { env: withoutKey, input: key });
    expect(login.code, login.stderr).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({ profile: "default", endpoints: 0 });

    const listed = await spawnCli(["config", "list", "--json"], { env: withoutKey });
    expect(JSON.parse(listed.stdout)).toMatchObject({ apiKeySource: "profile" });

    const created = await spawnCli(["webhooks", "endpoints", "create", "--url", `${app.url}/hooks`, "--events", "order.created", "--json"], {
      env: withoutKey,
    });
    expect(created.code, created.stderr).toBe(0);
    const endpoint = JSON.parse(created.stdout) as { id: string; secret: string };

    const tested = await spawnCli(["webhooks", "endpoints", "test", endpoint.id, "order.created", "--json"], { env: withoutKey });
    expect(tested.code, tested.stderr).toBe(0);
    const deliveries = await spawnCli(["webhooks", "deliveries", "list", endpoint.id, "--json"], { env: withoutKey });
    expect(deliveries.code).toBe(0);
    expect(JSON.parse(deliveries.stdout)).toEqual([expect.objectContaining({ endpointId: endpoint.id, status: "succeeded" })]);
    expect(signedWith(endpoint.secret, app.received.at(-1)!)).toBe(true);

    const logout = await spawnCli(["logout"], { env: withoutKey });
    expect(logout.code).toBe(0);
    expect(logout.stdout).toMatch(/logged out/);
  });

  it("deliveries tail prints NDJSON to a pipe and stops on SIGINT with exit 130", async () => {
    const created = await spawnCli(["webhooks", "endpoints", "create", "--url", `${app.url}/hooks`, "--events", "order.created", "--json"], { env });
    expect(created.code, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    const tail = startSpawnedCli(["webhooks", "deliveries", "tail", id, "--interval", "200ms"], { env });
    await tail.waitFor(/tailing we_\S+, polling every 0.2 s/, 20_000);
    const tested = await spawnCli(["webhooks", "endpoints", "test", id, "order.created", "--json"], { env });
    const { id: deliveryId } = JSON.parse(tested.stdout) as { id: string };
    const [line] = await tail.waitFor(new RegExp(`\\{[^\\n]*"delivery":"${deliveryId}"[^\\n]*"attempt":1[^\\n]*\\}`), 20_000);
    expect(JSON.parse(line)).toMatchObject({ endpoint: id, event: "order.created", status: "succeeded", statusCode: 200 });
    expect(await tail.stop("SIGINT")).toEqual({ code: 130, signal: null });
  }, 90_000);

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    it(`listen and the emulator stop on ${signal} with exit 130, after clean-up`, async () => {
      const own = tempConfigDir();
      try {
        const local = cleanEnv({ FANFARE_CONFIG_DIR: own.dir });
        const listen = startSpawnedCli(["webhooks", "listen", "--forward", app.url], { env: local });
        await listen.waitFor(/Ready\./);
        const session = sessionStatePath(local, listen.pid);
        await waitUntil(() => existsSync(session), 5_000, "the session file");
        expect(await listen.stop(signal)).toEqual({ code: 130, signal: null });
        expect(existsSync(session)).toBe(false);
        const trigger = await spawnCli(["webhooks", "trigger", "order.created"], { env: local });
        expect(trigger.code).toBe(2);
        expect(trigger.stderr).toMatch(/no `fanfare webhooks listen` is running/);

        const other = startSpawnedCli(["webhooks", "emulator", "--port", "0"], { env: local });
        await other.waitFor(/admin API on/);
        expect(await other.stop(signal)).toEqual({ code: 130, signal: null });
        expect(other.stderr()).toMatch(new RegExp(`emulator stopped \\(${signal}\\)`));
      } finally {
        own.cleanup();
      }
    });
  }
});
