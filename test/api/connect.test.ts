import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectApi } from "../../src/api/connect.js";
import { CliError } from "../../src/errors.js";
import { Output } from "../../src/terminal/output.js";
import { tempConfigDir } from "../helpers/cli.js";
import { sendJson, startServer } from "./servers.js";

let config: { dir: string; cleanup: () => void };
beforeEach(() => {
  config = tempConfigDir();
});
afterEach(() => config.cleanup());

function output(verbose = false) {
  const stderr = new PassThrough();
  let text = "";
  stderr.on("data", (d: Buffer) => (text += d.toString()));
  return { out: new Output({ verbose, stdout: new PassThrough(), stderr, env: {} }), stderr: () => text };
}

async function usageErrorOf(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).exitCode).toBe(2);
  return error as CliError;
}

describe("connectApi", () => {
  it("no key anywhere → exit 2 with the three ways to get one", async () => {
    const error = await usageErrorOf(connectApi({}, output().out, { FANFARE_CONFIG_DIR: config.dir }));
    expect(error.message).toBe("no API key");
    expect(error.code).toBe("missing_api_key");
    expect(error.hint).toBe("run `fanfare login`, set FANFARE_SECRET_KEY, or start `fanfare webhooks emulator`");
  });

  it("names the profile when one was asked for", async () => {
    const error = await usageErrorOf(connectApi({ profile: "staging" }, output().out, { FANFARE_CONFIG_DIR: config.dir }));
    expect(error.message).toBe('no API key for profile "staging"');
  });

  it("a malformed API base → exit 2 naming where it came from", async () => {
    const error = await usageErrorOf(
      connectApi({}, output().out, { FANFARE_CONFIG_DIR: config.dir, FANFARE_SECRET_KEY: "k", FANFARE_API_BASE: "localhost" }),
    );
    expect(error.message).toBe('invalid API base URL "localhost" (FANFARE_API_BASE)');
  });

  it("a working client; --verbose logs the requests with the key masked", async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, { data: [] }));
    const key = "sk_test_connectKey00000000WXYZ";
    const { out, stderr } = output(true);
    const { client, settings } = await connectApi({ apiBase: server.base + "/" }, out, {
      FANFARE_CONFIG_DIR: config.dir,
      FANFARE_SECRET_KEY: key,
    });
    try {
      expect(settings).toEqual({ profile: "default", apiKey: key, apiKeySource: "env", apiBase: server.base });
      expect(await client.listEndpoints()).toEqual([]);
    } finally {
      await client.close();
      await server.close();
    }
    expect(stderr()).toContain(`API ${server.base}, key sk_test_••••••••WXYZ (from FANFARE_SECRET_KEY)`);
    expect(stderr()).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/api\/webhooks → 200 \d+ ms/);
    expect(stderr()).not.toContain(key);
  });
});
