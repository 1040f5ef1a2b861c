import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // End-to-end tests spawn the CLI and servers; two cores are all CI has.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Ink draws only the last frame when it thinks it runs in CI (is-in-ci reads CI at import), so the
    // live-view tests would see nothing on a CI machine. CI=false turns that detection off.
    env: { CI: "false" },
  },
});
