import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient, type HttpClientFactory } from "../../src/http/client.js";
import { cleanEnv, emulatorEnv, runCli, startCli, tempConfigDir, type RunningCli } from "../helpers/cli.js";
import { startTarget, type Target } from "../listen/servers.js";

/** An HTTP layer that sends for real and notes every URL asked for. */
function recordingHttp(): { http: HttpClientFactory; urls: string[] } {
  const urls: string[] = [];
  const http: HttpClientFactory = (options) => {
    const client = createHttpClient(options);
    return { ...client, request: (url, request) => (urls.push(String(url)), client.request(url, request)) };
  };
  return { http, urls };
}

describe("commands send through the HTTP layer they are given", () => {
  const config = tempConfigDir();
  let app: Target;
  let emulator: RunningCli;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    app = await startTarget();
    emulator = startCli(["webhooks", "emulator", "--port", "0", "--json"], { env: cleanEnv({ FANFARE_CONFIG_DIR: config.dir }) });
    env = await emulatorEnv(emulator, config.dir);
  });
  afterAll(async () => {
    await emulator?.stop();
    await app?.close();
    config.cleanup();
  });

  it("trigger", async () => {
    const { http, urls } = recordingHttp();
    const r = await runCli(["webhooks", "trigger", "order.created", "--forward-to", `${app.url}/hooks`, "--secret", "whsec_x12345678"], { http });
    expect(r.code, r.stderr).toBe(0);
    expect(urls).toEqual([`${app.url}/hooks`]);
  });

  it("the admin commands", async () => {
    const { http, urls } = recordingHttp();
    const r = await runCli(["webhooks", "endpoints", "list", "--json"], { env, http });
    expect(r.code, r.stderr).toBe(0);
    expect(urls).toEqual([`${env.FANFARE_API_BASE}/webhooks`]);
  });

  it("login (it checks the key it is given before saving it)", async () => {
    const { http, urls } = recordingHttp();
    const own = tempConfigDir();
    try {
      const { FANFARE_SECRET_KEY: key, ...rest } = env;
      const r = await runCli(["login"], { env: { ...rest, FANFARE_CONFIG_DIR: own.dir }, input: key, http });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^logged in: profile "default" saved/);
      expect(urls).toEqual([`${env.FANFARE_API_BASE}/webhooks`]);
    } finally {
      own.cleanup();
    }
  });
});
