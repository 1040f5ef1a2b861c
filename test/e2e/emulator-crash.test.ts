import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { apiFor, type Api } from "../emulator/helpers.js";
import { cleanEnv, startSpawnedCli } from "../helpers/cli.js";
import { testScope } from "../helpers/scope.js";

/**
 * The emulator's promise with --data-dir: a change it answered 2xx survives kill -9, whatever was
 * in flight. Rounds of concurrent creates, deletes and test deliveries, each ended by SIGKILL while
 * requests are still open; every restart must hold everything acknowledged before it.
 */
const scope = testScope();
const KEY = "sk_test_crashLoop00000000";
const ROUNDS = 6;
const WRITERS = 8;

describe("the emulator killed with -9 in a loop during concurrent writes", () => {
  it("keeps every change it answered 2xx", async () => {
    const sink = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'));
    });
    await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
    scope.defer(() => new Promise<void>((r) => (sink.closeAllConnections(), sink.close(() => r()))));
    const hook = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hooks`;

    const dataDir = scope.configDir();
    const env = cleanEnv({ FANFARE_CONFIG_DIR: scope.configDir() });
    const args = ["webhooks", "emulator", "--port", "0", "--json", "--data-dir", dataDir, "--api-key", KEY];

    /** Acknowledged and not deleted since (an unanswered delete may or may not have happened). */
    const live = new Set<string>();
    const deleted = new Set<string>();
    const unsureDeletes = new Set<string>();
    const deliveries: Array<{ endpoint: string; id: string }> = [];
    let acknowledged = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const emulator = startSpawnedCli(args, { env });
      scope.defer(() => emulator.stop("SIGKILL"));
      const { url } = JSON.parse((await emulator.waitFor(/\{"url".*\}/, 30_000))[0]) as { url: string };
      const api = apiFor(url, KEY);

      // Everything acknowledged in earlier rounds is there; nothing acknowledged as deleted is back.
      const listed = new Set<string>((await api("GET", "/webhooks")).body.data.map((e: { id: string }) => e.id));
      for (const id of live) if (!unsureDeletes.has(id)) expect(listed, `endpoint ${id} after round ${round}`).toContain(id);
      for (const id of deleted) expect(listed.has(id), `deleted endpoint ${id} after round ${round}`).toBe(false);
      for (const d of deliveries) {
        if (!listed.has(d.endpoint)) continue;
        expect((await api("GET", `/webhooks/${d.endpoint}/deliveries/${d.id}`)).status, `delivery ${d.id}`).toBe(200);
      }
      // Endpoints that were being deleted when the last round died: settle which way it went.
      for (const id of unsureDeletes) {
        if (listed.has(id)) live.add(id);
        else (live.delete(id), deleted.add(id));
      }
      unsureDeletes.clear();
      for (const id of listed) if (!deleted.has(id)) live.add(id);

      // Writers go on until the kill; the kill comes once this round has 40 acknowledgements.
      const target = acknowledged + 40;
      let killed = false;
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(api, w, () => killed));
      await waitFor(() => acknowledged >= target, 30_000);
      killed = true;
      emulator.child!.kill("SIGKILL");
      await emulator.exited;
      await Promise.all(writers);
    }
    // Something of each kind was acknowledged across the rounds.
    expect(deleted.size).toBeGreaterThan(0);
    expect(deliveries.length).toBeGreaterThan(0);
    expect(live.size).toBeGreaterThan(ROUNDS * 10);

    async function writer(api: Api, w: number, stopped: () => boolean): Promise<void> {
      for (let i = 0; !stopped(); i++) {
        const kind = (i + w) % 5;
        const someLive = [...live].filter((id) => !unsureDeletes.has(id));
        if (kind === 3 && someLive.length > 0) {
          const id = someLive[(i * 7 + w) % someLive.length]!;
          unsureDeletes.add(id);
          const answer = await api("DELETE", `/webhooks/${id}`).catch(() => undefined);
          if (answer?.status === 204) {
            unsureDeletes.delete(id);
            live.delete(id);
            deleted.add(id);
            acknowledged++;
          }
        } else if (kind === 4 && someLive.length > 0) {
          const endpoint = someLive[(i * 13 + w) % someLive.length]!;
          const answer = await api("POST", `/webhooks/${endpoint}/test`, { eventType: "order.created" }).catch(() => undefined);
          if (answer?.status === 201) {
            deliveries.push({ endpoint, id: answer.body.id });
            acknowledged++;
          }
        } else {
          const answer = await api("POST", "/webhooks", { url: hook, events: ["order.created"] }).catch(() => undefined);
          if (answer?.status === 201) {
            live.add(answer.body.id);
            acknowledged++;
          }
        }
      }
    }
  }, 180_000);
});

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
