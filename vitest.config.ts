import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // End-to-end tests spawn the CLI and servers; two cores are all CI has.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Most files wait on sockets, timers and child processes rather than compute: on two cores, two
    // workers left the machine half idle. Tests wait for events, not for time, so they hold up.
    maxWorkers: 3,
    // Ink draws only the last frame when it thinks it runs in CI (is-in-ci reads CI at import), so the
    // live-view tests would see nothing on a CI machine. CI=false turns that detection off.
    env: { CI: "false" },
  },
});
