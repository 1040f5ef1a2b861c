import { describe, expect, it } from "vitest";
import { ConcurrencyLimiter } from "../../src/emulator/limiter.js";

/** A task that runs until released, recording how many ran at once per key and overall. */
function harness(limiter: ConcurrencyLimiter) {
  const release: Array<() => void> = [];
  const started: string[] = [];
  let now = 0;
  let peak = 0;
  const perKey = new Map<string, number>();
  const peakPerKey = new Map<string, number>();
  const task = (key: string) =>
    limiter.run(key, async () => {
      started.push(key);
      now++;
      peak = Math.max(peak, now);
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
      peakPerKey.set(key, Math.max(peakPerKey.get(key) ?? 0, perKey.get(key)!));
      await new Promise<void>((r) => release.push(r));
      now--;
      perKey.set(key, perKey.get(key)! - 1);
      return key;
    });
  const releaseAll = async () => {
    while (release.length > 0) {
      release.splice(0).forEach((r) => r());
      await new Promise((r) => setImmediate(r));
    }
  };
  return { task, started, releaseAll, peak: () => peak, peakPerKey };
}

describe("ConcurrencyLimiter", () => {
  it("holds each key to perKey and everything to total, and runs every task once", async () => {
    const limiter = new ConcurrencyLimiter(2, 5);
    const h = harness(limiter);
    const keys = ["a", "a", "a", "a", "b", "b", "b", "c", "d", "e", "f"];
    const results = Promise.all(keys.map((k) => h.task(k)));
    await new Promise((r) => setImmediate(r));
    // a a (a a held back) b b (b held back) c: five running, later keys wait for a slot.
    expect(h.started).toEqual(["a", "a", "b", "b", "c"]);
    expect(limiter.queued).toBe(6);
    await h.releaseAll();
    expect(await results).toEqual(keys);
    expect(h.peak()).toBe(5);
    expect(Math.max(...h.peakPerKey.values())).toBe(2);
    expect(h.started.slice().sort()).toEqual(keys.slice().sort());
    expect(limiter.queued).toBe(0);
  });

  it("a failing task frees its slot", async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const failed = limiter.run("a", async () => {
      throw new Error("boom");
    });
    await expect(failed).rejects.toThrow("boom");
    expect(await limiter.run("a", async () => 7)).toBe(7);
  });
});
