import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CliError } from "../../src/errors.js";
import { startQuickTunnel, type QuickTunnel } from "../../src/listen/tunnel.js";
import { TunnelKeeper, type TunnelKeeperOptions } from "../../src/listen/tunnel-keeper.js";
import { isAlive } from "../../src/session/state-file.js";
import { ROOT, tempConfigDir } from "../helpers/cli.js";
import { waitUntil } from "../helpers/wait.js";

const FAKE = join(ROOT, "test", "fixtures", "fake-cloudflared");
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A tunnel the test controls: `die()` is cloudflared exiting. */
function fakeTunnel(url: string) {
  let exit!: (how: { code: number | null; signal: NodeJS.Signals | null }) => void;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => (exit = resolve));
  let stopped = false;
  const tunnel: QuickTunnel & { die(): void; stopped(): boolean } = {
    url,
    pid: undefined,
    exited,
    stop: async () => {
      stopped = true;
      exit({ code: 0, signal: "SIGINT" });
    },
    kill: () => {
      stopped = true;
      exit({ code: null, signal: "SIGKILL" });
    },
    die: () => exit({ code: null, signal: "SIGKILL" }),
    stopped: () => stopped,
  };
  return tunnel;
}

type Status = Parameters<TunnelKeeperOptions["onStatus"]>[0];

function keeperWith(first: QuickTunnel, overrides: Partial<TunnelKeeperOptions> = {}) {
  const statuses: Status[] = [];
  const moved: string[] = [];
  const gaveUp: CliError[] = [];
  let n = 0;
  const started: ReturnType<typeof fakeTunnel>[] = [];
  const keeper = new TunnelKeeper(first, {
    start: async () => {
      const t = fakeTunnel(`https://next-${++n}.trycloudflare.com`);
      started.push(t);
      return t;
    },
    onNewTunnel: async (t) => void moved.push(t.url),
    onStatus: (s) => statuses.push(s),
    onGiveUp: (e) => gaveUp.push(e),
    backoffMs: [20, 40, 80],
    ...overrides,
  });
  cleanups.push(() => keeper.stop());
  return { keeper, statuses, moved, gaveUp, started };
}

describe("TunnelKeeper", () => {
  it("restarts cloudflared when it dies, after a backoff; the new tunnel becomes current and is announced", async () => {
    const first = fakeTunnel("https://first.trycloudflare.com");
    const { keeper, statuses, moved } = keeperWith(first);
    first.die();
    await waitUntil(() => moved.length === 1, 5_000, "a new tunnel");
    expect(moved).toEqual(["https://next-1.trycloudflare.com"]);
    expect(keeper.current.url).toBe("https://next-1.trycloudflare.com");
    expect(statuses).toEqual([
      { state: "reconnecting", url: null, reason: "cloudflared was killed by SIGKILL" },
      { state: "up", url: "https://next-1.trycloudflare.com", reason: null },
    ]);
    // The replacement is watched in turn.
    (keeper.current as ReturnType<typeof fakeTunnel>).die();
    await waitUntil(() => moved.length === 2, 5_000, "a second new tunnel");
    await keeper.stop();
    expect((keeper.current as ReturnType<typeof fakeTunnel>).stopped()).toBe(true);
  });

  it("killNow kills the tunnel in use before it returns and restarts nothing (a second Ctrl-C)", async () => {
    const first = fakeTunnel("https://first.trycloudflare.com");
    let killedBy: NodeJS.Signals | null = null;
    void first.exited.then(({ signal }) => (killedBy = signal));
    const { keeper, statuses, started } = keeperWith(first);
    keeper.killNow();
    expect(first.stopped()).toBe(true);
    await first.exited;
    expect(killedBy).toBe("SIGKILL");
    // Its exit is not a tunnel dying: nothing is started in its place (the backoff here is 20 ms, so
    // a restart would have begun well within 100 ms).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(statuses).toEqual([]);
    expect(started).toEqual([]);
  });

  it("keeps trying with backoff while restarts fail, and gives up after giveUpMs with exit 1", async () => {
    const first = fakeTunnel("https://first.trycloudflare.com");
    let attempts = 0;
    const { statuses, gaveUp } = keeperWith(first, {
      start: async () => {
        attempts++;
        throw new Error("cloudflared gave no tunnel URL within 1 s");
      },
      giveUpMs: 400,
    });
    first.die();
    await waitUntil(() => gaveUp.length === 1, 5_000, "the keeper to give up");
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(gaveUp[0]).toMatchObject({
      exitCode: 1,
      code: "tunnel_stopped",
      message: expect.stringMatching(/^no tunnel for 0 s \(restart failed: cloudflared gave no tunnel URL within 1 s\); listen stopped$/),
    });
    expect(statuses.filter((s) => s.state === "up")).toEqual([]);
  });

  it("restarts a tunnel whose connection stays terminated, but not one that reconnects by itself", async () => {
    const first = fakeTunnel("https://first.trycloudflare.com");
    const { keeper, moved, statuses } = keeperWith(first, { stallMs: 150 });
    keeper.onConnection("disconnected");
    keeper.onConnection("connected");
    await new Promise((r) => setTimeout(r, 300));
    expect(moved).toEqual([]);
    keeper.onConnection("disconnected");
    await waitUntil(() => moved.length === 1, 5_000, "a new tunnel after the stall");
    expect(first.stopped()).toBe(true);
    expect(statuses[0]).toMatchObject({ state: "reconnecting", reason: "cloudflared lost its connection for 0 s" });
  });

  it("checks the tunnel at once after the wall clock jumps (a sleep), and restarts it when it no longer answers", async () => {
    const first = fakeTunnel("https://first.trycloudflare.com");
    let offset = 0;
    const probed: string[] = [];
    const { moved, statuses } = keeperWith(first, {
      clockCheckMs: 50,
      wallClock: () => Date.now() + offset,
      probe: async (url) => {
        probed.push(url);
        return false;
      },
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(probed).toEqual([]);
    offset = 60_000;
    await waitUntil(() => moved.length === 1, 5_000, "a new tunnel after the jump");
    expect(probed[0]).toBe("https://first.trycloudflare.com");
    expect(statuses[0]!.reason).toMatch(/^the clock jumped 60 s \(the machine slept\?\); the tunnel no longer answered$/);
  });

  it("with the stand-in cloudflared that never prints a URL: each restart times out and is stopped; then it gives up", async () => {
    const dir = tempConfigDir();
    cleanups.push(dir.cleanup);
    const state = join(dir.dir, "state.json");
    const first = fakeTunnel("https://first.trycloudflare.com");
    const pids: number[] = [];
    const { gaveUp, statuses } = keeperWith(first, {
      start: async ({ signal, onConnection, timeoutMs }) => {
        // The cloudflared package starts the binary with this process's environment.
        process.env.FAKE_CLOUDFLARED_MODE = "delay-url:600000";
        process.env.FAKE_CLOUDFLARED_STATE = state;
        try {
          const starting = startQuickTunnel("http://127.0.0.1:4321", { binary: { path: FAKE, from: "env" }, signal, onConnection, timeoutMs: Math.min(timeoutMs, 2_000) });
          void waitUntil(() => existsSync(state) && JSON.parse(readFileSync(state, "utf8")).pid, 5_000).then((pid: number) => pids.push(pid), () => {});
          return await starting;
        } finally {
          delete process.env.FAKE_CLOUDFLARED_MODE;
          delete process.env.FAKE_CLOUDFLARED_STATE;
        }
      },
      backoffMs: [50],
      // Each start may take 2 s, room for a node process (the stand-in) to start and say where its
      // state is on a loaded machine: at 0.7 s, under load, it was stopped before it had a pid to read.
      giveUpMs: 6_000,
    });
    first.die();
    await waitUntil(() => gaveUp.length === 1, 20_000, "the keeper to give up");
    expect(gaveUp[0]!.message).toMatch(/^no tunnel for 6 s \(restart failed: cloudflared gave no tunnel URL within 2 s\); listen stopped$/);
    expect(statuses.filter((s) => s.reason?.startsWith("restart failed")).length).toBeGreaterThanOrEqual(2);
    expect(pids.length).toBeGreaterThanOrEqual(1);
    // No stand-in is left running.
    await waitUntil(() => pids.every((pid) => !isAlive(pid)), 5_000, "every stand-in to be stopped");
  });
});
