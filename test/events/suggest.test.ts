import { describe, expect, it } from "vitest";
import { eventNames } from "../../src/events/catalog.js";
import { closestNames, editDistance } from "../../src/events/suggest.js";

describe("editDistance", () => {
  it("counts insertions, deletions, substitutions and adjacent swaps as one each", () => {
    expect(editDistance("won", "won")).toBe(0);
    expect(editDistance("wn", "won")).toBe(1);
    expect(editDistance("wonn", "won")).toBe(1);
    expect(editDistance("wan", "won")).toBe(1);
    expect(editDistance("darw", "draw")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });
});

describe("closestNames", () => {
  const names = eventNames();
  it("offers the one clear match alone", () => {
    expect(closestNames("draw.consumer.wn", names)).toEqual(["draw.consumer.won"]);
    expect(closestNames("order.canceled", names)).toEqual(["order.cancelled"]);
  });

  it("treats _ . - and spaces alike, and ignores case", () => {
    expect(closestNames("queue.consumer-admitted", names)[0]).toBe("queue.consumer.admitted");
    expect(closestNames("DRAW.WINNERS.SELECTED", names)).toEqual(["draw.winners_selected"]);
  });

  it("lists up to three names that start with a whole-segment prefix", () => {
    expect(closestNames("experience", names)).toEqual(["experience.started", "experience.ended", "experience.paused"]);
    expect(closestNames("auction.bid.", names)).toEqual(["auction.bid.placed", "auction.bid.outbid", "auction.bid_placed"]);
  });

  it("offers nothing for a name far from all of them, or for nothing", () => {
    expect(closestNames("payment.refunded", names)).toEqual([]);
    expect(closestNames("   ", names)).toEqual([]);
  });
});
