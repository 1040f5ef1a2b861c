import { describe, expect, it } from "vitest";
import { logRowLayout } from "../../../src/listen/view/delivery-log-row-line.js";
import { rowLayout } from "../../../src/listen/view/delivery-row-line.js";
import type { ListColumn } from "../../../src/listen/view/list-columns.js";

const width = (columns: readonly ListColumn[], key: string) => columns.find((c) => c.key === key)?.width ?? 0;

describe("fitColumns: a wider terminal never gets narrower columns (with the same columns)", () => {
  it.each([
    ["listen", (w: number) => rowLayout(w).columns],
    ["deliveries tail", (w: number) => logRowLayout(w).columns],
  ])("%s, from 30 to 200 columns", (_name, layout) => {
    let before = layout(30);
    for (let w = 31; w <= 200; w++) {
      const now = layout(w);
      // Where a dropped column comes back the others make room for it; elsewhere nothing shrinks.
      const same = now.map((c) => c.key).join() === before.map((c) => c.key).join();
      for (const key of ["event", "id"]) {
        if (same) expect(width(now, key), `${key} at ${w} columns`).toBeGreaterThanOrEqual(width(before, key));
      }
      before = now;
    }
  });
});
