import { describe, expect, it } from "vitest";
import { EVENT_TYPES, filterEventTypes } from "../../src/events/catalog.js";
import { countLine, eventTable, summarize } from "../../src/events/format.js";
import { createStyle, stripAnsi } from "../../src/terminal/style.js";

describe("eventTable", () => {
  it("prints a header, one aligned row per event, then the counts", () => {
    const lines = eventTable(EVENT_TYPES, createStyle(false));
    expect(lines[0]).toMatch(/^NAME\s+CATEGORY\s+STATUS\s+DESCRIPTION$/);
    const row = lines.find((l) => l.startsWith("draw.consumer.won "))!;
    expect(row).toMatch(/^draw\.consumer\.won\s+draw\s+reference\s+Consumer won the draw$/);
    const statusColumn = lines[0]!.indexOf("STATUS");
    for (const line of lines.slice(1, 53)) expect(line.slice(statusColumn)).toMatch(/^(reference|guide|planned) /);
    expect(lines).toContain("52 event types: 21 reference, 19 guide, 12 planned");
    expect(lines.join("\n")).not.toMatch(/\u001B\[/);
  });

  it("colours the status only when styling is on, keeping the columns aligned", () => {
    const plain = eventTable(EVENT_TYPES, createStyle(false));
    const coloured = eventTable(EVENT_TYPES, createStyle(true));
    expect(coloured.find((l) => l.startsWith("order.paid"))).toContain("\u001B[35mplanned\u001B[39m");
    expect(coloured.map(stripAnsi)).toEqual(plain);
  });
});

describe("countLine", () => {
  it("says how many of the 52 a filter kept", () => {
    expect(countLine(filterEventTypes({ category: ["draw"] }))).toBe("8 of 52 event types: 4 reference, 4 guide, 0 planned");
    expect(countLine([])).toBe("0 of 52 event types: 0 reference, 0 guide, 0 planned");
  });
});

describe("summarize", () => {
  it("keeps what --json prints: name, category, status, description", () => {
    expect(summarize(EVENT_TYPES[0]!)).toEqual({
      name: "queue.consumer.entered",
      category: "queue",
      status: "reference",
      description: "Consumer joined a queue",
      mirrors: null,
    });
    expect(summarize(EVENT_TYPES.find((e) => e.name === "queue.consumer_entered")!)).toMatchObject({
      status: "guide",
      mirrors: "queue.consumer.entered",
    });
  });
});

describe("mirrors", () => {
  it("the table says which reference name a guide or planned name mirrors, and what that means", () => {
    const lines = eventTable(EVENT_TYPES, createStyle(false));
    expect(lines.find((l) => l.startsWith("queue.consumer_entered "))).toMatch(/guide\s+Consumer joined queue \(mirrors queue\.consumer\.entered\)$/);
    expect(lines.find((l) => l.startsWith("auction.bid_placed "))).toMatch(/\(mirrors auction\.bid\.placed\)$/);
    expect(lines.find((l) => l.startsWith("queue.consumer.entered "))).not.toMatch(/mirrors/);
    expect(lines.at(-1)).toMatch(/^\(mirrors X\): the same event as the reference name X/);
    // A filter that shows no mirror does not explain them.
    expect(eventTable(filterEventTypes({ status: ["reference"] }), createStyle(false)).join("\n")).not.toMatch(/mirrors/);
  });
});
