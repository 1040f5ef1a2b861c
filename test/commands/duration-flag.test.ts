import { describe, expect, it } from "vitest";
import { parseDurationFlag } from "../../src/commands/context.js";
import { isCliError } from "../../src/errors.js";

describe("parseDurationFlag", () => {
  it("reads ms, s, m, h, d and bare seconds", () => {
    const read = (v: string) => parseDurationFlag("--since", v, 0, 30 * 86_400_000, "10m");
    expect(["500ms", "2s", "2", "1.5s", "10m", "1h", "1d"].map(read)).toEqual([500, 2000, 2000, 1500, 600_000, 3_600_000, 86_400_000]);
  });

  it("anything else, or out of range, is a usage error (2) that says what would do", () => {
    for (const bad of ["soon", "-1s", "10 minutes", "", "0"]) {
      let error: unknown;
      try {
        parseDurationFlag("--interval", bad, 100, 3_600_000, "2s");
      } catch (e) {
        error = e;
      }
      expect(isCliError(error) && error.exitCode, bad).toBe(2);
      expect((error as Error).message).toMatch(/--interval must be a duration from 100ms to 1h, such as 2s/);
    }
  });
});
