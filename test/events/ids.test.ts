import { describe, expect, it } from "vitest";
import { newId, ulid } from "../../src/events/ids.js";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const decodeTime = (id: string) => [...id.slice(0, 10)].reduce((t, c) => t * 32 + CROCKFORD.indexOf(c), 0);

describe("newId", () => {
  it("is the prefix, an underscore and 26 Crockford base32 characters", () => {
    expect(newId("whk")).toMatch(/^whk_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(newId("cons_")).toMatch(/^cons_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it("encodes the given time in its first 10 characters", () => {
    const now = new Date("2025-03-14T15:09:26.535Z");
    expect(decodeTime(newId("whk", now).slice(4))).toBe(now.getTime());
    expect(ulid(new Date(0)).slice(0, 10)).toBe("0000000000");
  });

  it("sorts by time and never repeats", () => {
    const earlier = newId("whk", new Date(1_700_000_000_000));
    const later = newId("whk", new Date(1_700_000_000_001));
    expect(earlier < later).toBe(true);
    const ids = new Set(Array.from({ length: 10_000 }, () => newId("whk", new Date(1_700_000_000_000))));
    expect(ids.size).toBe(10_000);
  });

  it("falls back to the clock for an invalid date", () => {
    expect(Math.abs(decodeTime(ulid(new Date(Number.NaN))) - Date.now())).toBeLessThan(5_000);
  });
});
