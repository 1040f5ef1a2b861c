import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApiClient, type ApiClient } from "../../src/api/client.js";
import type { Delivery } from "../../src/api/types.js";
import { isAlive } from "../../src/session/state-file.js";
import { deliveryHeaders } from "../../src/signing/headers.js";
import { signPayload } from "../../src/signing/signature.js";
// The binary itself: the cloudflared package starts the stand-in with this process's environment,
// which carries the stand-in's mode, so each listen here is a process of its own.
import { cleanEnv, ROOT, spawnCli as runCli, startSpawnedCli as startCli, type RunningCli } from "../helpers/cli.js";
import { testScope } from "../helpers/scope.js";
import { waitUntil } from "../helpers/wait.js";
import { freePort, send } from "../listen/servers.js";
import { signedWith } from "../helpers/signatures.js";

// Connected mode end to end: the CLI against the real emulator over HTTP, with the stand-in
// cloudflared (test/fixtures/fake-cloudflared) or --tunnel none.

const KEY = "sk_test_listenE2eKey0123456789abcdef";
const FAKE_CLOUDFLARED = join(ROOT, "test", "fixtures", "fake-cloudflared");
let emulator: { url: string; close(): Promise<void> };
let api: ApiClient;

beforeAll(async () => {
  const { startEmulator } = await import("../../src/emulator/index.js");
  // 1 min of the retry schedule becomes 0.1 s.
  emulator = await startEmulator({ port: 0, timeScale: 600, apiKeys: [KEY], replyWaitMs: 5000 });
  api = createApiClient({ baseUrl: emulator.url, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await api?.close();
  await emulator?.close();
});

// Nothing a test's listen created may outlive it. (Registered first, so it runs after the scope
// has stopped the test's processes: vitest runs after-hooks in reverse order.)
afterEach(async () => {
  for (const endpoint of await api.listEndpoints()) await api.deleteEndpoint(endpoint.id);
});
const scope = testScope();
const temp = scope.configDir;

function connectedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cleanEnv({ FANFARE_CONFIG_DIR: temp(), FANFARE_SECRET_KEY: KEY, FANFARE_API_BASE: emulator.url, ...extra });
}

const target = scope.target;

interface Session {
  cli: RunningCli;
  endpointId: string;
  secret: string;
  receiverUrl: string;
}

async function listen(args: string[], env: NodeJS.ProcessEnv): Promise<Session> {
  const cli = await scope.listen(args, env, { spawned: true });
  const err = cli.stderr();
  return {
    cli,
    endpointId: err.match(/^\s*endpoint\s+(we_\w+)/m)![1]!,
    secret: err.match(/secret\s+(whsec_\S+)/)![1]!,
    receiverUrl: err.match(/receiver\s+(http:\S+)/)![1]!,
  };
}



describe("listen (connected mode, emulator)", () => {
  it("opens a cloudflared quick tunnel, registers it as a temporary endpoint, and on SIGTERM deletes it and stops the tunnel", async () => {
    const state = join(temp(), "cloudflared.json");
    const env = connectedEnv({ CLOUDFLARED_BIN: FAKE_CLOUDFLARED, FAKE_CLOUDFLARED_STATE: state });
    const app = await target();
    const session = await listen(["--forward", `${app.url}/in`, "--events", "draw.consumer.won,draw.consumer.lost"], env);

    const tunnel = JSON.parse(readFileSync(state, "utf8"));
    expect(tunnel.argv).toEqual(["tunnel", "--url", `http://127.0.0.1:${new URL(session.receiverUrl).port}`]);
    expect(tunnel.url).toMatch(/^https:\/\/[a-z0-9-]+\.trycloudflare\.com$/);
    expect(session.cli.stderr()).toContain(`public    ${tunnel.url}`);

    const endpoint = await api.getEndpoint(session.endpointId);
    expect(endpoint).toMatchObject({ url: `${tunnel.url}/webhooks`, events: ["draw.consumer.won", "draw.consumer.lost"], enabled: true });

    // Through the tunnel (the stand-in's proxy) to listen and on to the app, signed with the session's secret.
    const body = Buffer.from('{"id":"whk_tunnel","type":"draw.consumer.won","data":{}}');
    const ts = Math.floor(Date.now() / 1000);
    const headers = deliveryHeaders({ eventType: "draw.consumer.won", deliveryId: "whk_tunnel", timestamp: ts, signature: signPayload(session.secret, body, "v1", ts) });
    expect((await send(`${tunnel.proxyUrl}/webhooks`, { body, headers })).status).toBe(200);
    expect(app.received[0]!.body.equals(body)).toBe(true);
    expect(signedWith(session.secret, app.received[0]!)).toBe(true);

    expect(await session.cli.stop("SIGTERM")).toEqual({ code: 130, signal: null });
    expect(await api.listEndpoints()).toEqual([]);
    expect(session.cli.stderr()).toContain(`deleted temporary endpoint ${session.endpointId}`);
    expect(JSON.parse(readFileSync(state, "utf8")).stoppedBy).toMatch(/^SIG(INT|TERM)$/);
    expect(isAlive(tunnel.pid)).toBe(false);
  });

  it("with --tunnel none points the endpoint at the receiver: the emulator's deliveries reach the app through listen", async () => {
    const env = connectedEnv();
    const app = await target();
    const session = await listen(["--forward", `${app.url}/hooks`, "--tunnel", "none"], env);
    const endpoint = await api.getEndpoint(session.endpointId);
    expect(endpoint.url).toBe(session.receiverUrl);
    expect(endpoint.events.length).toBeGreaterThan(20);

    const delivery = await api.sendTest(session.endpointId, "draw.consumer.won");
    expect(delivery.status).toBe("succeeded");
    expect(app.received).toHaveLength(1);
    const got = app.received[0]!;
    expect(got.url).toBe("/hooks");
    expect(got.body.toString()).toBe(delivery.request.body);
    expect(got.headers["x-fanfare-delivery-id"]).toBe(delivery.id);
    expect(signedWith(session.secret, got)).toBe(true);
    await session.cli.waitFor(new RegExp(`<-- \\[200\\] POST ${app.url}/hooks \\[${delivery.id}\\]`));

    expect(await session.cli.stop("SIGINT")).toEqual({ code: 130, signal: null });
    expect(await api.listEndpoints()).toEqual([]);
  });

  it("answers 502 while the app is down, so the emulator retries; the retry succeeds once the app is up", async () => {
    const env = connectedEnv();
    const port = await freePort();
    const session = await listen(["--forward", `127.0.0.1:${port}/hooks`, "--tunnel", "none"], env);

    const first = await api.sendTest(session.endpointId, "draw.consumer.won");
    expect(first.attempts[0]).toMatchObject({ statusCode: 502 });
    expect(first.status).toBe("retrying");
    await session.cli.waitFor(new RegExp(`<-- \\[ERR\\] .*\\[${first.id}\\] connection refused`));

    const app = await target(undefined, port);
    const done = await waitUntil(
      async () => {
        const d: Delivery = await api.getDelivery(session.endpointId, first.id);
        return d.status === "succeeded" ? d : undefined;
      },
      15_000,
      "the retry to succeed",
    );
    expect(done.attempt).toBeGreaterThanOrEqual(2);
    expect(app.received.at(-1)!.body.toString()).toBe(first.request.body);
    await session.cli.waitFor(new RegExp(`<-- \\[200\\] .*\\[${first.id}\\]`));
    expect(session.cli.stdout()).toMatch(new RegExp(`--> draw\\.consumer\\.won \\[${first.id}\\] \\(attempt \\d\\)`));
  });

  it("when cloudflared is killed with -9 mid-session, starts a new one, points the endpoint at it and stays up; Ctrl-C still cleans up", async () => {
    const state = join(temp(), "cloudflared.json");
    const env = connectedEnv({ CLOUDFLARED_BIN: FAKE_CLOUDFLARED, FAKE_CLOUDFLARED_STATE: state });
    const app = await target();
    const session = await listen(["--forward", `${app.url}/in`], env);
    const first = JSON.parse(readFileSync(state, "utf8")) as { pid: number; url: string };
    expect((await api.getEndpoint(session.endpointId)).url).toBe(`${first.url}/webhooks`);

    process.kill(first.pid, "SIGKILL");
    await session.cli.waitFor(/!!! tunnel reconnecting: cloudflared was killed by SIGKILL/);
    const second = await waitUntil(
      () => {
        const now = JSON.parse(readFileSync(state, "utf8")) as { pid: number; url?: string; proxyUrl?: string };
        return now.pid !== first.pid && now.url && now.proxyUrl ? (now as { pid: number; url: string; proxyUrl: string }) : undefined;
      },
      20_000,
      "a new stand-in cloudflared with a URL",
    );
    await session.cli.waitFor(new RegExp(`\\.\\.\\. tunnel back at ${second.url.replace(/\./g, "\\.")}`), 20_000);
    expect((await api.getEndpoint(session.endpointId)).url).toBe(`${second.url}/webhooks`);
    // The session file records the new cloudflared, for the clean-up after a kill -9 of listen.
    expect(JSON.parse(readFileSync(join(env.FANFARE_CONFIG_DIR!, "listen-sessions", `${session.cli.pid}.json`), "utf8")).cloudflaredPid).toBe(second.pid);

    // Deliveries flow through the new tunnel.
    const body = Buffer.from('{"id":"whk_again","type":"draw.consumer.won","data":{}}');
    const ts = Math.floor(Date.now() / 1000);
    const headers = deliveryHeaders({ eventType: "draw.consumer.won", deliveryId: "whk_again", timestamp: ts, signature: signPayload(session.secret, body, "v1", ts) });
    expect((await send(`${second.proxyUrl}/webhooks`, { body, headers })).status).toBe(200);
    expect(app.received.at(-1)!.body.equals(body)).toBe(true);

    expect(await session.cli.stop("SIGINT")).toEqual({ code: 130, signal: null });
    expect(await api.listEndpoints()).toEqual([]);
    expect(isAlive(second.pid)).toBe(false);
    expect(existsSync(join(env.FANFARE_CONFIG_DIR!, "listen-sessions", `${session.cli.pid}.json`))).toBe(false);
  });

  it.each(["SIGINT", "SIGTERM"] as const)(
    "%s while cloudflared is still starting stops it and exits 130 at once, deleting nothing",
    async (signal) => {
      const state = join(temp(), "cloudflared.json");
      // The URL would come 60 s late: listen must not wait for it (nor for its own 45 s start timeout).
      const env = connectedEnv({ CLOUDFLARED_BIN: FAKE_CLOUDFLARED, FAKE_CLOUDFLARED_MODE: "delay-url:60000", FAKE_CLOUDFLARED_STATE: state });
      const app = await target();
      const cli = startCli(["--verbose", "webhooks", "listen", "--forward", app.url], { env });
      scope.defer(() => cli.stop("SIGKILL"));
      const tunnel = await waitUntil(
        () => (existsSync(state) ? (JSON.parse(readFileSync(state, "utf8")) as { pid: number }) : undefined),
        15_000,
        "the stand-in cloudflared to start",
      );
      await cli.waitFor(/cloudflared: \//);

      // stop() sends SIGKILL after 10 s: a listen still waiting for the URL would end by that, not by 130.
      expect(await cli.stop(signal)).toEqual({ code: 130, signal: null });
      expect(JSON.parse(readFileSync(state, "utf8"))).toMatchObject({ stoppedBy: expect.stringMatching(/^SIG(INT|TERM)$/) });
      expect(isAlive(tunnel.pid)).toBe(false);
      expect(cli.stderr()).not.toMatch(/^error:|^warning:/m);
      // Nothing was created, so nothing is deleted (and no endpoint exists).
      expect(cli.stderr()).not.toMatch(/deleting|endpoint we_/);
      expect(await api.listEndpoints()).toEqual([]);
      expect(existsSync(join(env.FANFARE_CONFIG_DIR!, "listen-sessions", `${cli.pid}.json`))).toBe(false);
    },
  );

  it("a cloudflared that fails before its URL is exit 1 with what it said; a missing one is exit 2 with the hint", async () => {
    const app = await target();
    const failed = await runCli(["webhooks", "listen", "--forward", app.url], {
      env: connectedEnv({ CLOUDFLARED_BIN: FAKE_CLOUDFLARED, FAKE_CLOUDFLARED_MODE: "fail" }),
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/error: cloudflared exited with code 1 before the tunnel was up\nhint: cloudflared said: .*no such host; run without a tunnel: --tunnel none/);

    // Only Node's own folder on PATH, and the package has downloaded no binary.
    const missing = await runCli(["webhooks", "listen", "--forward", app.url], {
      env: connectedEnv({ PATH: dirname(process.execPath) }),
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: cloudflared is not installed/);
    expect(missing.stderr).toMatch(/hint: .*CLOUDFLARED_BIN.*--tunnel none/);

    const wrong = await runCli(["webhooks", "listen", "--forward", app.url], {
      env: connectedEnv({ CLOUDFLARED_BIN: "/nonexistent/cloudflared" }),
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/CLOUDFLARED_BIN=\/nonexistent\/cloudflared is not an executable file\nhint: .*--tunnel none/);
    expect(await api.listEndpoints()).toEqual([]);
  });

  it("--endpoint reuses an endpoint: points it at listen and puts its URL back on exit", async () => {
    const env = connectedEnv();
    const app = await target();
    const existing = await api.createEndpoint({ url: "https://example.com/hooks", events: ["draw.consumer.won"] });
    const session = await listen(["--forward", app.url, "--tunnel", "none", "--endpoint", existing.id, "--secret", existing.secret], env);
    expect(session.endpointId).toBe(existing.id);
    // The banner shows the events the endpoint really has, not "all" (listen's own default).
    expect(session.cli.stderr()).toMatch(/^ +events +draw\.consumer\.won$/m);
    expect((await api.getEndpoint(existing.id)).url).toBe(session.receiverUrl);
    const delivery = await api.sendTest(existing.id, "draw.consumer.won");
    expect(delivery.status).toBe("succeeded");
    expect(signedWith(existing.secret, app.received[0]!)).toBe(true);
    await session.cli.waitFor(/<-- \[200\]/);
    expect(session.cli.stdout()).not.toMatch(/✗/);

    expect(await session.cli.stop("SIGTERM")).toEqual({ code: 130, signal: null });
    expect((await api.getEndpoint(existing.id)).url).toBe("https://example.com/hooks");
  });
});

describe("listen after one that was killed with -9", () => {
  it("deletes the temporary endpoint and stops the cloudflared the killed one left behind", async () => {
    const config = temp();
    const state = join(config, "cloudflared.json");
    const env = cleanEnv({
      FANFARE_CONFIG_DIR: config,
      FANFARE_SECRET_KEY: KEY,
      FANFARE_API_BASE: emulator.url,
      CLOUDFLARED_BIN: FAKE_CLOUDFLARED,
      FAKE_CLOUDFLARED_STATE: state,
    });
    const app = await target();
    const first = await listen(["--forward", app.url], env);
    const tunnel = JSON.parse(readFileSync(state, "utf8")) as { pid: number };
    // kill -9: no clean-up of its own.
    first.cli.child!.kill("SIGKILL");
    await first.cli.exited;
    expect(isAlive(tunnel.pid)).toBe(true);
    expect((await api.listEndpoints()).map((e) => e.id)).toEqual([first.endpointId]);

    const second = await listen(["--forward", app.url], env);
    expect(second.cli.stderr()).toContain(`deleted temporary endpoint ${first.endpointId} left by a listen that was killed`);
    expect(second.cli.stderr()).toContain(`stopped cloudflared (pid ${tunnel.pid})`);
    await waitUntil(() => !isAlive(tunnel.pid), 5_000, "the orphaned cloudflared to stop");
    expect((await api.listEndpoints()).map((e) => e.id)).toEqual([second.endpointId]);
    expect(await second.cli.stop("SIGTERM")).toEqual({ code: 130, signal: null });
    expect(await api.listEndpoints()).toEqual([]);
  });
});
