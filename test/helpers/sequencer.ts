import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take longest, longest first, so they start at once instead of being the last ones
 * running on a machine otherwise idle (measured on the 2-core machine; see docs/ARCHITECTURE.md,
 * "The test suite's wall time"). After a first run vitest knows every file's duration from its
 * cache and orders by that; on a fresh clone it has nothing but file sizes, which put small slow
 * files (types, check) near the end.
 */
export const SLOWEST_FIRST = [
  "test/e2e/binary.test.ts",
  "test/e2e/listen-connected.test.ts",
  "test/e2e/hostile.test.ts",
  "test/e2e/mcp.test.ts",
  "test/e2e/emulator-crash.test.ts",
  "test/e2e/examples.test.ts",
  "test/commands/check.test.ts",
  "test/e2e/readme-ci.test.ts",
  "test/emulator/engine.test.ts",
  "test/listen/tunnel-keeper.test.ts",
  "test/commands/tail.test.ts",
  "test/e2e/pack.test.ts",
  "test/commands/types.test.ts",
  "test/emulator/journal.test.ts",
];

export default class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const i = SLOWEST_FIRST.indexOf(relative(spec.project.config.root, spec.moduleId).split("\\").join("/"));
      return i === -1 ? SLOWEST_FIRST.length : i;
    };
    // Isolated files (their own process each) last, together: a shared worker is reused only while
    // the next file in the queue is also a shared one.
    const isolated = (spec: TestSpecification) => (spec.project.config.isolate ? 1 : 0);
    // Array.prototype.sort is stable: the rest keep vitest's order (cached durations, else sizes).
    return sorted.sort((a, b) => isolated(a) - isolated(b) || rank(a) - rank(b));
  }
}
