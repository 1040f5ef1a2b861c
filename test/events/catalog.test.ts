import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  EVENT_CATEGORIES,
  EVENT_TYPES,
  eventNames,
  filterEventTypes,
  findEventType,
  requireEventType,
} from "../../src/events/catalog.js";
import { buildSample } from "../../src/events/sample.js";
import { CliError } from "../../src/errors.js";
import { ROOT } from "../helpers/cli.js";
import { at, jsonType, leaves, shapeOf } from "./shapes.js";
import { documentedEventNames, specText, type ReferencePayloads } from "./spec-docs.js";

const REFERENCE = JSON.parse(
  readFileSync(join(ROOT, "test", "fixtures", "events-reference.json"), "utf8"),
) as ReferencePayloads;
const REFERENCE_NAMES = Object.keys(REFERENCE);

const NOW = new Date("2025-03-14T15:09:26.535Z");
const ULID = "[0-9A-HJKMNP-TV-Z]{26}";
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const MONEY = /^\d+\.\d{2}$/;
const TOKEN_HEADER = "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9";

// 000's tables (which 003 repeats) and 002's Event Reference tables, as the docs list them.
const OVERVIEW_NAMES = [
  "queue.consumer.entered", "queue.consumer.admitted", "queue.consumer.completed", "queue.consumer.left",
  "queue.consumer.denied", "draw.consumer.entered", "draw.consumer.won", "draw.consumer.lost", "draw.completed",
  "auction.bid.placed", "auction.bid.outbid", "auction.consumer.won", "auction.settled", "order.created",
  "order.completed", "order.cancelled", "consumer.created", "consumer.updated", "distribution.updated",
  "distribution.opened", "distribution.closed",
];
const GUIDE_TABLE_NAMES = [
  "queue.consumer_entered", "queue.consumer_admitted", "queue.consumer_left", "queue.admission_completed",
  "queue.admission_expired", "draw.entry_created", "draw.winners_selected", "draw.prize_claimed",
  "draw.prize_expired", "auction.bid_placed", "auction.outbid", "auction.auction_ended",
  "auction.winner_notified", "experience.started", "experience.ended", "experience.paused", "experience.resumed",
];
const PLANNED_ONLY_NAMES = [
  "consumer.deleted", "experience.created", "experience.activated", "experience.completed",
  "experience.cancelled", "distribution.joined", "distribution.admitted", "distribution.winner_selected",
  "distribution.bid_placed", "distribution.completed", "order.paid", "order.fulfilled",
];

describe("the catalog", () => {
  it("has 52 unique event types: 21 reference, 19 guide, 12 planned", () => {
    expect(EVENT_TYPES).toHaveLength(52);
    expect(new Set(eventNames()).size).toBe(52);
    const count = (status: string) => EVENT_TYPES.filter((e) => e.status === status).length;
    expect([count("reference"), count("guide"), count("planned")]).toEqual([21, 19, 12]);
  });

  it("holds every name of 000's and 002's tables and 001's planned list, with the right status", () => {
    for (const name of OVERVIEW_NAMES) expect(findEventType(name)?.status, name).toBe("reference");
    for (const name of GUIDE_TABLE_NAMES) expect(findEventType(name)?.status, name).toBe("guide");
    // Named only in the guide's subscription list and handler code, not in its tables.
    for (const name of ["consumer.authenticated", "consumer.linked"]) expect(findEventType(name)?.status, name).toBe("guide");
    for (const name of PLANNED_ONLY_NAMES) expect(findEventType(name)?.status, name).toBe("planned");
  });

  it("has exactly the reference events the fixture of 003 has", () => {
    expect(EVENT_TYPES.filter((e) => e.status === "reference").map((e) => e.name).sort()).toEqual(
      [...REFERENCE_NAMES].sort(),
    );
  });

  const docs = (["000", "001", "002", "003"] as const).map((n) => specText(n));
  it.skipIf(docs.some((d) => d === undefined))("names exactly the event types the docs in ../shared/spec name", () => {
    const documented = new Set(docs.flatMap((text) => documentedEventNames(text!)));
    expect([...documented].sort()).toEqual([...eventNames()].sort());
  });

  it("gives every entry a known category matching its name, and a one-line description", () => {
    for (const e of EVENT_TYPES) {
      expect(EVENT_CATEGORIES, e.name).toContain(e.category);
      expect(e.name.startsWith(`${e.category}.`), e.name).toBe(true);
      expect(e.description, e.name).toMatch(/^[A-Z][^\n]{5,80}$/);
    }
  });

  it("finds by exact name only", () => {
    expect(findEventType("draw.consumer.won")?.name).toBe("draw.consumer.won");
    expect(findEventType("Draw.Consumer.Won")).toBeUndefined();
    expect(findEventType("")).toBeUndefined();
  });
});

describe("requireEventType", () => {
  function errorOf(name: string): CliError {
    try {
      requireEventType(name);
    } catch (error) {
      return error as CliError;
    }
    throw new Error(`${name} was accepted`);
  }

  it("returns the entry for a known name", () => {
    expect(requireEventType("order.paid").status).toBe("planned");
  });

  it("rejects a typo with exit 2, code unknown_event and the closest name", () => {
    const error = errorOf("draw.consumer.wn");
    expect(error).toBeInstanceOf(CliError);
    expect(error.exitCode).toBe(2);
    expect(error.code).toBe("unknown_event");
    expect(error.message).toBe('unknown event "draw.consumer.wn"');
    expect(error.hint).toBe('did you mean draw.consumer.won? Run "fanfare webhooks events" to list all 52.');
  });

  it("suggests across separators, case and swapped letters", () => {
    expect(errorOf("queue.admission.completed").hint).toMatch(/^did you mean queue\.admission_completed \(mirrors queue\.consumer\.completed\)\?/);
    expect(errorOf("Queue.Consumer.Admitted").hint).toMatch(/^did you mean queue\.consumer\.admitted/);
    expect(errorOf("darw.completed").hint).toMatch(/^did you mean draw\.completed\?/);
    expect(errorOf("order.create").hint).toMatch(/^did you mean order\.created\?/);
  });

  it("lists names sharing a prefix, and points a bare category at --category", () => {
    // auction.bid_placed mirrors auction.bid.placed: one event, offered once, by its reference name.
    expect(errorOf("auction.bid").hint).toMatch(/^did you mean auction\.bid\.placed or auction\.bid\.outbid\?/);
    expect(errorOf("draw").hint).toBe(
      'did you mean draw.consumer.entered, draw.consumer.won or draw.consumer.lost? Run "fanfare webhooks events --category draw" to list all 8.',
    );
  });

  it("matches a name with a segment left out, or by its last word", () => {
    expect(errorOf("draw.won").hint).toMatch(/^did you mean draw\.consumer\.won\?/);
    expect(errorOf("won.auction").hint).toMatch(/^did you mean auction\.consumer\.won\?/);
    expect(errorOf("queue.entered").hint).toMatch(/^did you mean queue\.consumer\.entered\?/);
    expect(errorOf("lottery.won").hint).toMatch(/^did you mean draw\.consumer\.won or auction\.consumer\.won\?/);
    // Both spellings are close: only the reference one is offered.
    expect(errorOf("queue.consumer.enterd").hint).toMatch(/^did you mean queue\.consumer\.entered\? Run/);
  });

  it("every mirror is a guide or planned name pointing at a reference name", async () => {
    const { MIRRORS } = await import("../../src/events/mirrors.js");
    expect(Object.keys(MIRRORS).length).toBeGreaterThanOrEqual(10);
    for (const [name, reference] of Object.entries(MIRRORS)) {
      expect(requireEventType(name).status).not.toBe("reference");
      expect(requireEventType(reference).status).toBe("reference");
      expect(requireEventType(name).category === requireEventType(reference).category || name.startsWith("distribution.")).toBe(true);
    }
  });

  it("with nothing close, only says how to list them", () => {
    expect(errorOf("payment.refunded").hint).toBe('run "fanfare webhooks events" to list all 52.');
  });
});

describe("filterEventTypes", () => {
  it("narrows by status and category, comma lists allowed", () => {
    expect(filterEventTypes({ status: ["guide"] })).toHaveLength(19);
    expect(filterEventTypes({ status: ["reference", "planned"] })).toHaveLength(33);
    expect(filterEventTypes({ category: ["draw"] }).map((e) => e.name)).toEqual(
      eventNames().filter((n) => n.startsWith("draw.")),
    );
    expect(filterEventTypes({ status: ["reference"], category: ["experience"] })).toEqual([]);
    expect(filterEventTypes({ status: ["Planned"] })).toHaveLength(12);
  });

  it("rejects an unknown status or category as a usage error naming the choices", () => {
    expect(() => filterEventTypes({ status: ["beta"] })).toThrowError(
      expect.objectContaining({ exitCode: 2, code: "unknown_status", message: 'unknown --status "beta"', hint: "use one of reference, guide, planned" }),
    );
    expect(() => filterEventTypes({ category: ["payments"] })).toThrowError(
      expect.objectContaining({ exitCode: 2, code: "unknown_category", message: 'unknown --category "payments"' }),
    );
  });
});

describe.each(REFERENCE_NAMES)("the sample of %s against the events reference", (name) => {
  const reference = REFERENCE[name]!;
  const sample = buildSample(name, { now: NOW });

  it("has the envelope, every field of 003 at every depth with the same JSON type, and no other", () => {
    expect(Object.keys(sample)).toEqual(["id", "type", "timestamp", "organizationId", "data"]);
    expect(shapeOf(sample)).toEqual(shapeOf(reference));
  });

  it("keeps 003's field order", () => {
    expect(Object.keys(sample.data)).toEqual(Object.keys(reference.data));
  });

  it("is typed as its name, with a whk_ ULID id and the timestamp at now", () => {
    expect(sample.type).toBe(name);
    expect(sample.id).toMatch(new RegExp(`^whk_${ULID}$`));
    expect(sample.organizationId).toMatch(new RegExp(`^org_${ULID}$`));
    expect(sample.timestamp).toBe("2025-03-14T15:09:26Z");
  });

  it("uses ULID-style ids with the prefixes 003 uses", () => {
    for (const [path, value] of leaves(reference)) {
      const prefix = typeof value === "string" ? /^([a-z]+)_01HXYZ123456789$/.exec(value)?.[1] : undefined;
      if (prefix) expect(at(sample, path), path).toMatch(new RegExp(`^${prefix}_${ULID}$`));
    }
  });

  it("puts its timestamps near now, in the same order as 003's", () => {
    const times = leaves(reference).filter(([, v]) => typeof v === "string" && ISO.test(v)).map(([p]) => p);
    expect(times.length).toBeGreaterThan(1);
    for (const path of times) {
      const value = at(sample, path) as string;
      expect(value, path).toMatch(ISO);
      expect(Math.abs(Date.parse(value) - NOW.getTime()), path).toBeLessThanOrEqual(3600_000);
    }
    for (const a of times) {
      for (const b of times) {
        const expected = Math.sign(Date.parse(at(reference, a) as string) - Date.parse(at(reference, b) as string));
        const actual = Math.sign(Date.parse(at(sample, a) as string) - Date.parse(at(sample, b) as string));
        expect(actual, `${a} vs ${b}`).toBe(expected);
      }
    }
  });

  it("writes money as decimal strings, with currencyCode where 003 has it", () => {
    for (const [path, value] of leaves(reference)) {
      if (typeof value === "string" && MONEY.test(value)) expect(at(sample, path), path).toMatch(MONEY);
    }
    if ("currencyCode" in reference.data) expect(sample.data.currencyCode).toMatch(/^[A-Z]{3}$/);
  });

  it("shapes its tokens like 003's (a compact JWS with the same header)", () => {
    for (const [path, value] of leaves(reference)) {
      if (typeof value === "string" && value.startsWith(TOKEN_HEADER)) {
        expect(at(sample, path), path).toMatch(new RegExp(`^${TOKEN_HEADER}\\.[\\w-]+\\.[\\w-]+$`));
      }
    }
  });
});

describe("every sample (reference, guide and planned)", () => {
  it.each(eventNames())("%s: envelope, ids, times and money follow the reference's conventions", (name) => {
    const sample = buildSample(name, { now: NOW });
    expect(Object.keys(sample)).toEqual(["id", "type", "timestamp", "organizationId", "data"]);
    expect(sample.type).toBe(name);
    expect(sample.id).toMatch(new RegExp(`^whk_${ULID}$`));
    expect(sample.timestamp).toBe("2025-03-14T15:09:26Z");
    expect(jsonType(sample.data)).toBe("object");
    expect(Object.keys(sample.data).length).toBeGreaterThan(0);

    for (const [path, value] of leaves(sample.data)) {
      const key = path.split(".").pop()!;
      expect(key, path).toMatch(/^[a-z][a-zA-Z]*$|^\d+$/); // camelCase, never 001's snake_case
      if (/Id$/.test(key) && !/^external/.test(key)) expect(value, path).toMatch(new RegExp(`^[a-z]+_${ULID}$`));
      if (/(At|Deadline|Time)$/.test(key)) {
        expect(value, path).toMatch(ISO);
        // Deadlines and expiries lie ahead, by two days at most (a draw's claim window).
        expect(Math.abs(Date.parse(value as string) - NOW.getTime()), path).toBeLessThanOrEqual(48 * 3600_000);
      }
      if (/^amount$|Amount$|Bid$/.test(key) && key !== "isHighestBid") expect(value, path).toMatch(MONEY);
    }
    const hasMoney = leaves(sample.data).some(([, v]) => typeof v === "string" && MONEY.test(v));
    // auction.bid.outbid is the one payload of 003 with amounts but no currency.
    if (hasMoney && name !== "auction.bid.outbid" && name !== "auction.settled") {
      expect(sample.data.currencyCode, name).toBe("USD");
    }
  });

  it("gets fresh ids on every call, sorted by time", () => {
    const first = buildSample("order.created", { now: NOW });
    const second = buildSample("order.created", { now: NOW });
    expect(second.id).not.toBe(first.id);
    expect(second.data.orderId).not.toBe(first.data.orderId);
    const later = buildSample("order.created", { now: new Date(NOW.getTime() + 1) });
    expect(later.id.slice(4, 14) > first.id.slice(4, 14)).toBe(true);
    expect(first.organizationId).toBe(second.organizationId);
  });

  it("defaults now to the current time", () => {
    const before = Date.now();
    const sample = buildSample("draw.consumer.won");
    expect(Math.abs(Date.parse(sample.timestamp) - before)).toBeLessThan(5_000);
  });
});

describe("guide samples follow 002's handler types and Key Data", () => {
  // 002's interfaces, field for field.
  const INTERFACES: Record<string, Record<string, string>> = {
    "queue.consumer_admitted": {
      consumerId: "string", experienceId: "string", distributionId: "string", admissionToken: "string",
      admittedAt: "string", expiresAt: "string", position: "number", waitTimeSeconds: "number",
    },
    "queue.admission_completed": {
      consumerId: "string", experienceId: "string", distributionId: "string", orderId: "string", completedAt: "string",
    },
    "queue.admission_expired": {
      consumerId: "string", experienceId: "string", distributionId: "string", expiredAt: "string",
    },
    "draw.winners_selected": {
      drawId: "string", experienceId: "string", winners: "array", totalEntries: "number", selectionMethod: "string",
    },
  };
  // 002's "Key Data" column.
  const KEY_DATA: Record<string, string[]> = {
    "queue.consumer_entered": ["consumerId", "position"],
    "queue.consumer_admitted": ["admissionToken", "expiresAt"],
    "queue.consumer_left": ["consumerId", "reason"],
    "queue.admission_completed": ["orderId"],
    "queue.admission_expired": ["expiredAt"],
    "draw.entry_created": ["consumerId", "entryNumber"],
    "draw.winners_selected": ["winners", "totalEntries"],
    "draw.prize_claimed": ["consumerId", "orderId"],
    "draw.prize_expired": ["consumerId", "expiresAt"],
    "auction.bid_placed": ["consumerId", "amount"],
    "auction.outbid": ["consumerId", "newHighBid"],
    "auction.auction_ended": ["winnerId", "finalBid"],
    "auction.winner_notified": ["consumerId"],
    "experience.started": ["experienceId", "type"],
    "experience.ended": ["totalParticipants"],
    "experience.paused": ["reason"],
    "experience.resumed": ["pausedDuration"],
    "consumer.authenticated": ["consumerId"],
    "consumer.linked": ["consumerId"],
  };

  it("covers every guide event", () => {
    expect(Object.keys(KEY_DATA).sort()).toEqual(filterEventTypes({ status: ["guide"] }).map((e) => e.name).sort());
  });

  it.each(Object.entries(INTERFACES))("%s has exactly its interface's fields and types", (name, fields) => {
    const data = buildSample(name, { now: NOW }).data;
    expect(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, jsonType(v)]))).toEqual(fields);
  });

  it("winners_selected lists winners as { consumerId, position, claimToken, claimDeadline }", () => {
    const { winners } = buildSample("draw.winners_selected", { now: NOW }).data as { winners: Array<Record<string, unknown>> };
    expect(winners.length).toBeGreaterThan(0);
    for (const [i, winner] of winners.entries()) {
      expect(Object.keys(winner)).toEqual(["consumerId", "position", "claimToken", "claimDeadline"]);
      expect(winner.position).toBe(i + 1);
      expect(Date.parse(winner.claimDeadline as string)).toBeGreaterThan(NOW.getTime());
    }
  });

  it.each(Object.entries(KEY_DATA))("%s carries its Key Data", (name, keys) => {
    const data = buildSample(name, { now: NOW }).data;
    for (const key of keys) expect(data, key).toHaveProperty(key);
  });

  it("keeps admission times consistent: admitted now, expiring later", () => {
    const data = buildSample("queue.consumer_admitted", { now: NOW }).data;
    expect(Date.parse(data.admittedAt as string)).toBeLessThan(Date.parse(data.expiresAt as string));
    const resumed = buildSample("experience.resumed", { now: NOW }).data;
    expect((Date.parse(resumed.resumedAt as string) - Date.parse(resumed.pausedAt as string)) / 1000).toBe(
      resumed.pausedDuration,
    );
  });
});

describe("planned samples", () => {
  it("carry 001's example fields, camelCased", () => {
    for (const name of eventNames().filter((n) => findEventType(n)!.status === "planned" && n.startsWith("distribution."))) {
      const data = buildSample(name, { now: NOW }).data;
      for (const key of ["consumerId", "distributionId", "experienceId", "productId"]) expect(data, `${name} ${key}`).toHaveProperty(key);
    }
  });
});
