import { afterEach } from "vitest";
import { startCli, startSpawnedCli, tempConfigDir, type RunningCli } from "./cli.js";
import { startTarget, type Target } from "../listen/servers.js";

/**
 * What a test starts and must not outlive it: config folders, targets, spawned listens, torn down
 * after each test in reverse order. Call once at the top of a test file.
 */
export function testScope() {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  const defer = (fn: () => unknown): void => {
    cleanups.push(fn);
  };
  return {
    defer,
    /** A fresh config folder (FANFARE_CONFIG_DIR), removed afterwards. */
    configDir(): string {
      const dir = tempConfigDir();
      defer(dir.cleanup);
      return dir.dir;
    },
    /** A recording HTTP target on loopback, closed afterwards. */
    async target(...args: Parameters<typeof startTarget>): Promise<Target> {
      const t = await startTarget(...args);
      defer(() => t.close());
      return t;
    },
    /**
     * `fanfare webhooks listen …`, started (in-process, or as a process with `spawned`) and waited for
     * until it says it is ready; stopped afterwards.
     */
    async listen(args: string[], env: NodeJS.ProcessEnv, options: { spawned?: boolean; pid?: number } = {}): Promise<RunningCli> {
      const cli = (options.spawned ? startSpawnedCli : startCli)(["webhooks", "listen", ...args], { env, pid: options.pid });
      // SIGTERM, so a connected listen stops its cloudflared too (stop() still kills it if it lingers).
      defer(() => cli.stop("SIGTERM"));
      await cli.waitFor(/Ready\.|"listening"/);
      return cli;
    },
  };
}
