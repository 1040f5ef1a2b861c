import { describe, expect, it } from "vitest";
import { runConcurrently } from "../../src/delivery/batch.js";

const tick = () => new Promise<void>((r) => setImmediate(r));

describe("runConcurrently", () => {
  it("runs every task once, never more than `concurrency` at a time", async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    const started = await runConcurrently(10, 3, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await tick();
      seen.push(i);
      inFlight--;
    });
    expect(started).toBe(10);
    expect(most).toBe(3);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("starts tasks in index order with concurrency 1", async () => {
    const order: number[] = [];
    await runConcurrently(5, 1, async (i) => {
      order.push(i);
      await tick();
    });
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it("uses no more workers than tasks and handles zero tasks", async () => {
    let most = 0;
    let inFlight = 0;
    await runConcurrently(2, 50, async () => {
      most = Math.max(most, ++inFlight);
      await tick();
      inFlight--;
    });
    expect(most).toBe(2);
    expect(await runConcurrently(0, 4, async () => {})).toBe(0);
  });

  it("stops starting tasks once told to, letting those in flight finish", async () => {
    let stop = false;
    const finished: number[] = [];
    const started = await runConcurrently(
      100,
      2,
      async (i) => {
        if (i === 5) stop = true;
        await tick();
        finished.push(i);
      },
      () => stop,
    );
    // Tasks 4 and 5 were in flight when 5 said stop; nothing after them started.
    expect(started).toBe(6);
    expect([...finished].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
