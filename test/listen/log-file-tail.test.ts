import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLastDeliveries } from "../../src/listen/log-file.js";
import { tempConfigDir } from "../helpers/cli.js";

let folder: { dir: string; cleanup: () => void };
beforeEach(() => {
  folder = tempConfigDir();
});
afterEach(() => folder.cleanup());

const line = (seq: number, extra = "") => JSON.stringify({ seq, id: `whk_${seq}`, pad: extra }) + "\n";

describe("readLastDeliveries (list_deliveries from listen's --log-file)", () => {
  it("gives the last `limit` records, newest first", async () => {
    const path = join(folder.dir, "log.ndjson");
    writeFileSync(path, [1, 2, 3, 4, 5].map((n) => line(n)).join(""));
    expect((await readLastDeliveries(path, 3)).map((r) => r.seq)).toEqual([5, 4, 3]);
    expect((await readLastDeliveries(path, 50)).map((r) => r.seq)).toEqual([5, 4, 3, 2, 1]);
  });

  it("skips a torn last line (a listen killed mid-write) and blank lines", async () => {
    const path = join(folder.dir, "log.ndjson");
    writeFileSync(path, line(1) + "\n" + line(2) + '{"seq":3,"id":"whk_');
    expect((await readLastDeliveries(path, 5)).map((r) => r.seq)).toEqual([2, 1]);
  });

  it("reads only the end of a large file, dropping the line the window cuts", async () => {
    const path = join(folder.dir, "log.ndjson");
    const big = "x".repeat(1024 * 1024);
    writeFileSync(path, "");
    for (let n = 1; n <= 12; n++) appendFileSync(path, line(n, big));
    const records = await readLastDeliveries(path, 100);
    // 12 MB of lines and an 8 MB window: the newest ones, none of them a fragment.
    expect(records.length).toBeGreaterThan(5);
    expect(records.length).toBeLessThan(12);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: records.length }, (_, i) => 12 - i));
  });

  it("is empty for an empty log", async () => {
    const path = join(folder.dir, "log.ndjson");
    writeFileSync(path, "");
    expect(await readLastDeliveries(path, 5)).toEqual([]);
  });
});
