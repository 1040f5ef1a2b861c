import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { limitHeapGrowth } from "../../src/listen/heap.js";

describe("limitHeapGrowth", () => {
  it("leaves a V8 it does not know alone (an unknown flag would print over the live view)", () => {
    expect(limitHeapGrowth(50, "14.0.1.0")).toBe(false);
    expect(limitHeapGrowth(50, "garbage")).toBe(false);
  });

  it("sets a flag this V8 accepts silently", () => {
    // In a child process: the flag is process-wide, and V8 reports a bad one only on stderr.
    const script = `require("v8").setFlagsFromString("--heap-growing-percent=50")`;
    const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(child.status).toBe(0);
    expect(child.stderr).toBe("");
    expect(limitHeapGrowth(50)).toBe(true);
  });
});
