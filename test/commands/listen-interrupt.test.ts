import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApiClient, type ApiClient } from "../../src/api/client.js";
import { isAlive } from "../../src/session/state-file.js";
import { deliveryHeaders } from "../../src/signing/headers.js";
import { signPayload } from "../../src/signing/signature.js";
import { cleanEnv, ROOT } from "../helpers/cli.js";
import { testScope } from "../helpers/scope.js";
import { waitUntil } from "../helpers/wait.js";
import { send } from "../listen/servers.js";

// A second Ctrl-C while a connected listen drains: it leaves at once, but kills its cloudflared and
// says what it left behind. In-process (two signals through the helper's emitter), against the
// emulator, with the stand-in cloudflared.

const KEY = "sk_test_listenInterruptKey0123456789ab";
const FAKE_CLOUDFLARED = join(ROOT, "test", "fixtures", "fake-cloudflared");
let emulator: { url: string; close(): Promise<void> };
let api: ApiClient;

beforeAll(async () => {
  const { startEmulator } = await import("../../src/emulator/index.js");
  emulator = await startEmulator({ port: 0, apiKeys: [KEY] });
  api = createApiClient({ baseUrl: emulator.url, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await api?.close();
  await emulator?.close();
});
// What the interrupted listen left is removed here (registered first, so it runs last). Its clean-up
// goes on in the background once the app answers, and may delete the endpoint first: a 404 is fine.
afterEach(async () => {
  for (const endpoint of await api.listEndpoints()) await api.deleteEndpoint(endpoint.id).catch(() => {});
});
const scope = testScope();

/** The scope takes a second signal within this long of the first for the same one delivered twice. */
const SAME_SIGNAL_MS = 300;

describe("listen: a second Ctrl-C while draining", () => {
  for (const json of [false, true]) {
    it(`kills cloudflared at once and says the temporary endpoint was left${json ? " (--json: a JSON warning line)" : ""}`, async () => {
      const configDir = scope.configDir();
      const env = cleanEnv({ FANFARE_CONFIG_DIR: configDir, FANFARE_SECRET_KEY: KEY, FANFARE_API_BASE: emulator.url, CLOUDFLARED_BIN: FAKE_CLOUDFLARED });
      let answer: (() => void) | null = null;
      // An app that does not answer until the test lets it: the first Ctrl-C waits out its drain.
      const app = await scope.target((_req, res) => {
        answer = () => res.writeHead(200).end();
      });
      scope.defer(() => answer?.());
      const cli = await scope.listen(["--forward", app.url, ...(json ? ["--json"] : [])], env);
      const banner = json ? JSON.parse(cli.stderr().split("\n")[0]!).listening : null;
      const endpointId: string = json ? banner.endpointId : cli.stderr().match(/^\s*endpoint\s+(we_\w+)/m)![1]!;
      const receiverUrl: string = json ? banner.receiverUrl : cli.stderr().match(/receiver\s+(http:\S+)/)![1]!;
      const secret: string = json ? banner.secret : cli.stderr().match(/secret\s+(whsec_\S+)/)![1]!;
      const { cloudflaredPid } = JSON.parse(readFileSync(join(configDir, "listen-sessions", `${cli.pid}.json`), "utf8"));
      expect(isAlive(cloudflaredPid)).toBe(true);

      const body = Buffer.from("{}");
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = deliveryHeaders({ eventType: "draw.consumer.won", deliveryId: "whk_hang", timestamp, signature: signPayload(secret, body, "v1", timestamp) });
      void send(receiverUrl, { body, headers }).catch(() => {});
      await waitUntil(() => app.received.length === 1 || undefined, 10_000, "the delivery to reach the app");

      const stopped = cli.stop("SIGINT");
      // Draining: the receiver takes no new deliveries while the one in flight waits for its answer.
      // (A GET, answered 405 at once while it listens: a POST that got in first would wait on the app.)
      await waitUntil(async () => await send(receiverUrl, { method: "GET" }).then(() => undefined, () => true), 10_000, "the receiver to stop taking deliveries");
      // Not an event to wait for: the scope's own rule for telling a repeat from a second press.
      await new Promise((resolve) => setTimeout(resolve, SAME_SIGNAL_MS + 100));
      const drainedAlready = cli.stderr().includes("deleted temporary endpoint");
      expect(drainedAlready).toBe(false);
      await cli.stop("SIGINT");
      expect(await stopped).toEqual({ code: 130, signal: null });

      // In-process, the abandoned clean-up goes on in the background after the drain's 5 s and would
      // stop cloudflared after deleting the endpoint: gone before that is the second signal's doing.
      await waitUntil(() => !isAlive(cloudflaredPid), 3_000, "cloudflared to be gone");
      expect(cli.stderr()).not.toContain("deleted temporary endpoint");
      const line = `left temporary endpoint ${endpointId} (the next listen removes it)`;
      if (json) expect(cli.stderr().split("\n")).toContain(JSON.stringify({ warning: { message: line } }));
      else expect(cli.stderr()).toContain(`warning: ${line}\n`);
      // Left indeed: no HTTP call was waited for.
      expect((await api.listEndpoints()).map((e) => e.id)).toContain(endpointId);
    }, 40_000);
  }
});
