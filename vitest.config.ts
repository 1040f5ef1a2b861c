import { defineConfig } from "vitest/config";
import SlowestFirstSequencer from "./test/helpers/sequencer.js";

const TESTS = ["test/**/*.test.ts", "test/**/*.test.tsx"];
/**
 * Files that must have a process of their own: timing-safe mocks node:crypto for its whole module
 * graph; heap sets a process-wide V8 flag.
 */
const ISOLATED = ["test/signing/timing-safe.test.ts", "test/listen/heap.test.ts"];

export default defineConfig({
  test: {
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
    sequence: { sequencer: SlowestFirstSequencer },
    // Each project names its own include: with `extends`, arrays are concatenated with the root's.
    projects: [
      {
        extends: true,
        // A worker process runs file after file and keeps the modules it loaded: a fresh process and
        // module graph per file cost more CPU than all but a few tests. Each file cleans up after
        // itself (testScope, afterAll), which is what makes sharing safe.
        test: { name: "shared", isolate: false, include: TESTS, exclude: ISOLATED },
      },
      { extends: true, test: { name: "isolated", isolate: true, include: ISOLATED } },
    ],
  },
});
