import { afterEach, describe, expect, it } from "vitest";
import { AppHealth, type AppHealthChange } from "../../src/listen/app-health.js";
import { waitUntil } from "../helpers/wait.js";
import { freePort, startTarget } from "./servers.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function watch(urls: string[], intervalMs = 100) {
  const changes: AppHealthChange[] = [];
  const health = new AppHealth({ targets: urls.map((u) => new URL(u)), intervalMs, onChange: (c) => changes.push(c) });
  cleanups.push(() => health.stop());
  return { health, changes };
}

describe("AppHealth (real loopback apps)", () => {
  it("says an app is down at start, back once it listens, and down again when it stops, with no delivery", async () => {
    const port = await freePort();
    const { health, changes } = watch([`http://127.0.0.1:${port}/webhooks`, `http://127.0.0.1:${port}/other`]);
    await health.start();
    // Two targets on one app: one check, one notice.
    expect(changes).toEqual([{ target: `http://127.0.0.1:${port}`, state: "down", reason: "connection refused" }]);

    const app = await startTarget(undefined, port);
    await waitUntil(() => changes.length === 2, 5_000, "the app to be seen back");
    expect(changes[1]).toEqual({ target: `http://127.0.0.1:${port}`, state: "up", reason: null });

    await app.close();
    await waitUntil(() => changes.length === 3, 5_000, "the app to be seen down");
    expect(changes[2]).toMatchObject({ state: "down", reason: "connection refused" });
  });

  it("is quiet about an app that is up at start; a delivery that got no answer checks at once", async () => {
    const app = await startTarget();
    cleanups.push(() => app.close());
    // Idle checks every minute: only the delivery can make it look now.
    const { health, changes } = watch([`${app.url}/hook`], 60_000);
    await health.start();
    expect(changes).toEqual([]);
    await app.close();
    health.noteDelivery(`${app.url}/hook`, false);
    await waitUntil(() => changes.length === 1, 5_000, "the check after a failed delivery");
    expect(changes[0]).toMatchObject({ target: app.url, state: "down" });
    // An answered delivery says it is back without a check.
    health.noteDelivery(`${app.url}/hook`, true);
    expect(changes[1]).toMatchObject({ state: "up" });
  });
});
