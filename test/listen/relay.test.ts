import { afterEach, describe, expect, it } from "vitest";
import { DeliveryLog } from "../../src/listen/delivery-log.js";
import { Forwarder } from "../../src/listen/forwarder.js";
import { printDeliveries } from "../../src/listen/line-output.js";
import { DeliveryRelay } from "../../src/listen/relay.js";
import type { DeliveryRecord } from "../../src/listen/types.js";
import { deliveryHeaders } from "../../src/signing/headers.js";
import { signPayload } from "../../src/signing/signature.js";
import { eventMatcher } from "../../src/listen/routes.js";
import { freePort, startTarget } from "./servers.js";

const SECRET = "whsec_relayTestSecret0123456789abc";
const NOW = 1_800_000_000_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function relayTo(url: string, secret: string | null = SECRET) {
  const forwarder = await Forwarder.create(new URL(url));
  cleanups.push(() => forwarder.close());
  return new DeliveryRelay({ targets: [{ pattern: null, matches: () => true, forwarder }], secret, now: () => NOW, log: new DeliveryLog(3) });
}

/** A relay with several --forward routes: [pattern, url] each. */
async function relayToRoutes(routes: Array<[string | null, string]>, timeoutMs?: number, extraHeaders?: Record<string, string>) {
  const targets = await Promise.all(
    routes.map(async ([pattern, url]) => {
      const forwarder = await Forwarder.create(new URL(url), { timeoutMs });
      cleanups.push(() => forwarder.close());
      return { pattern, matches: eventMatcher(pattern), forwarder };
    }),
  );
  return new DeliveryRelay({ targets, secret: SECRET, now: () => NOW, extraHeaders });
}

function incoming(body: string, id = "whk_1", secret = SECRET) {
  const ts = NOW / 1000;
  const bytes = Buffer.from(body);
  return {
    method: "POST",
    path: "/webhooks",
    headers: deliveryHeaders({ eventType: "draw.consumer.won", deliveryId: id, timestamp: ts, signature: signPayload(secret, bytes, "v1", ts) }),
    body: bytes,
  };
}

describe("DeliveryRelay", () => {
  it("verifies, forwards and answers with the target's reply; listeners see arrival then completion", async () => {
    const target = await startTarget((_req, res) => res.writeHead(418, { "content-type": "text/plain" }).end("teapot"));
    cleanups.push(() => target.close());
    const relay = await relayTo(target.url + "/hook");
    const seen: DeliveryRecord[] = [];
    relay.subscribe((r) => seen.push(r));

    const reply = await relay.receive(incoming('{"a":1}'));
    expect(reply.statusCode).toBe(418);
    expect(Buffer.from(reply.body).toString()).toBe("teapot");
    expect(seen.map((r) => [r.seq, r.target?.statusCode ?? null])).toEqual([
      [1, null],
      [1, 418],
    ]);
    expect(seen[1]).toMatchObject({ id: "whk_1", eventType: "draw.consumer.won", signature: "valid", attempt: 1 });

    // Same delivery id again: a platform retry, counted; a wrong secret is flagged but still forwarded.
    await relay.receive(incoming('{"a":1}', "whk_1", "whsec_otherSecret00000000000000"));
    expect(relay.log.get(2)).toMatchObject({ attempt: 2, signature: "invalid" });
    expect(target.received).toHaveLength(2);
  });

  it("replays a delivery byte for byte as a new record, even one its bounded log no longer keeps (the view may still show it)", async () => {
    const target = await startTarget();
    cleanups.push(() => target.close());
    const relay = await relayTo(target.url);
    await relay.receive(incoming('{"x":"é"}', "whk_r"));
    const shown = relay.log.get(1)!;
    const replayed = await relay.replay(shown);
    expect(replayed).toMatchObject({ seq: 2, id: "whk_r", replayOf: 1, attempt: 1, target: { statusCode: 200 } });
    expect(target.received[1]!.body.equals(target.received[0]!.body)).toBe(true);
    expect(target.received[1]!.headers["x-fanfare-signature"]).toBe(target.received[0]!.headers["x-fanfare-signature"]);

    for (let i = 0; i < 3; i++) await relay.receive(incoming("{}", `whk_${i}`));
    expect(relay.log.get(1)).toBeUndefined();
    expect(await relay.replay(shown)).toMatchObject({ id: "whk_r", replayOf: 1, target: { statusCode: 200 } });
    expect(target.received.at(-1)!.body.equals(target.received[0]!.body)).toBe(true);
  });

  it("answers 502 when the target is down, and says it cannot verify without a secret", async () => {
    const relay = await relayTo(`http://127.0.0.1:${await freePort()}/`, null);
    const reply = await relay.receive(incoming("{}"));
    expect(reply.statusCode).toBe(502);
    // The cause and the target, as JSON, for trigger to print.
    expect(reply.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(String(reply.body))).toEqual({ error: "connection refused", target: relay.log.get(1)!.target!.url });
    expect(relay.log.get(1)).toMatchObject({ signature: "invalid", target: { statusCode: null, error: "connection refused" } });
  });

  it("prints a line each way, or one NDJSON object per answered delivery", async () => {
    const target = await startTarget();
    cleanups.push(() => target.close());
    const relay = await relayTo(target.url + "/in");
    const text: string[] = [];
    const json: string[] = [];
    const sink = (into: string[]) => ({ write: (chunk: string) => into.push(chunk) }) as unknown as NodeJS.WritableStream;
    const stopText = printDeliveries(relay, sink(text), { json: false, color: false });
    const stopJson = printDeliveries(relay, sink(json), { json: true, color: false });
    await relay.receive(incoming("{}", "whk_line"));
    stopText();
    stopJson();
    const lines = text.join("").trimEnd().split("\n");
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d --> draw\.consumer\.won \[whk_line\]$/);
    // A warm loopback forward can take under a millisecond: "<1 ms".
    expect(lines[1]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d <-- \\[200\\] POST ${target.url}/in \\[whk_line\\] (<1 ms|\\d+ ms|\\d+\\.\\d s)$`));
    const objects = json.join("").trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({ id: "whk_line", signature: "valid", target: { statusCode: 200 } });
  });
});

describe("DeliveryRelay with several targets", () => {
  const ok = (name: string) => startTarget((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(name));

  it("sends each delivery to every matching target at once, same bytes and headers; 2xx only when all answer 2xx", async () => {
    const draws = await ok("draws");
    const all = await ok("all");
    const orders = await ok("orders");
    cleanups.push(() => draws.close(), () => all.close(), () => orders.close());
    const relay = await relayToRoutes([
      ["draw.*", `${draws.url}/d`],
      [null, `${all.url}/a`],
      ["order.*", `${orders.url}/o`],
    ]);
    const lines: string[] = [];
    const stop = printDeliveries(relay, { write: (c: string) => lines.push(c) } as unknown as NodeJS.WritableStream, { json: false, color: false });

    const reply = await relay.receive(incoming('{"n":1}', "whk_multi"));
    stop();
    expect(reply.statusCode).toBe(200);
    expect(draws.received).toHaveLength(1);
    expect(all.received).toHaveLength(1);
    expect(orders.received).toHaveLength(0);
    expect(draws.received[0]!.body.equals(all.received[0]!.body)).toBe(true);
    expect(draws.received[0]!.headers["x-fanfare-signature"]).toBe(all.received[0]!.headers["x-fanfare-signature"]);
    const record = relay.log.get(1)!;
    expect(record.targets!.map((t) => [t.url, t.statusCode])).toEqual([
      [`${draws.url}/d`, 200],
      [`${all.url}/a`, 200],
    ]);
    // One <-- line per target.
    const text = lines.join("");
    expect(text).toContain(`<-- [200] POST ${draws.url}/d [whk_multi]`);
    expect(text).toContain(`<-- [200] POST ${all.url}/a [whk_multi]`);

    // Replay goes to every matching target again.
    await relay.replay(relay.log.get(1)!);
    expect(draws.received).toHaveLength(2);
    expect(all.received).toHaveLength(2);
  });

  it("sends every target the same filtered headers plus --headers, live and on replay; the sender's others stay behind", async () => {
    const first = await ok("first");
    const second = await ok("second");
    cleanups.push(() => first.close(), () => second.close());
    const relay = await relayToRoutes([
      [null, `${first.url}/1`],
      ["draw.*", `${second.url}/2`],
    ], undefined, { "x-env": "dev", "x-fanfare-timestamp": "override" });
    const delivery = incoming('{"n":1}', "whk_headers");
    const signed = { ...delivery.headers };
    // What a sender (or the tunnel) may add that is not the target's business.
    delivery.headers = { ...signed, authorization: "Bearer sender", cookie: "session=1", host: "tunnel.example", "x-forwarded-for": "1.2.3.4" };

    await relay.receive(delivery);
    await relay.replay(relay.log.get(1)!);
    const expected = { ...signed, "x-env": "dev", "x-fanfare-timestamp": "override" };
    const received = [...first.received, ...second.received];
    expect(received).toHaveLength(4);
    for (const got of received) {
      // host is the target's own, set by the HTTP client; the rest is exactly what was picked.
      const { host, connection: _connection, "content-length": _length, ...rest } = got.headers;
      expect(rest).toEqual(expected);
      expect(host).not.toBe("tunnel.example");
      expect(got.headers.authorization).toBeUndefined();
      expect(got.headers.cookie).toBeUndefined();
    }
  });

  it("answers the worst status: a target down is 502 with the cause and that target, even when another answered 200", async () => {
    const up = await ok("up");
    const failing = await startTarget((_req, res) => res.writeHead(500).end("boom"));
    cleanups.push(() => up.close(), () => failing.close());
    const down = `http://127.0.0.1:${await freePort()}/down`;
    const relay = await relayToRoutes([
      [null, `${up.url}/up`],
      [null, down],
      [null, `${failing.url}/f`],
    ]);
    const reply = await relay.receive(incoming("{}"));
    expect(reply.statusCode).toBe(502);
    expect(JSON.parse(String(reply.body))).toEqual({ error: "connection refused", target: down });
    expect(relay.log.get(1)!.targets!.map((t) => t.statusCode)).toEqual([200, null, 500]);
    expect(relay.log.get(1)!.target).toMatchObject({ url: down, statusCode: null });

    // Without the one that is down, the 500 is the worst, passed back as the target said it.
    const relay2 = await relayToRoutes([
      [null, `${up.url}/up`],
      [null, `${failing.url}/f`],
    ]);
    const reply2 = await relay2.receive(incoming("{}"));
    expect(reply2.statusCode).toBe(500);
    expect(String(reply2.body)).toBe("boom");
  });

  it("answers 504 naming the target that timed out", async () => {
    const slow = await startTarget(() => {});
    cleanups.push(() => slow.close());
    const relay = await relayToRoutes([[null, `${slow.url}/slow`]], 300);
    const reply = await relay.receive(incoming("{}"));
    expect(reply.statusCode).toBe(504);
    expect(JSON.parse(String(reply.body))).toEqual({ error: expect.stringMatching(/^timed out/), target: `${slow.url}/slow` });
  });

  it("answers 404 (final, no retries) when no --forward takes the event type, and records why", async () => {
    const orders = await ok("orders");
    cleanups.push(() => orders.close());
    const relay = await relayToRoutes([["order.*", orders.url]]);
    const reply = await relay.receive(incoming("{}"));
    expect(reply.statusCode).toBe(404);
    expect(JSON.parse(String(reply.body))).toEqual({ error: "no --forward takes draw.consumer.won", target: null });
    expect(orders.received).toHaveLength(0);
    expect(relay.log.get(1)).toMatchObject({ targets: [], target: { statusCode: null, error: expect.stringContaining("not forwarded") } });
  });
});

describe("DeliveryLog", () => {
  const record = (seq: number): DeliveryRecord => ({
    seq,
    id: `whk_${seq}`,
    eventType: "draw.consumer.won",
    receivedAt: NOW,
    attempt: 1,
    signature: "valid",
    signatureReason: null,
    request: { method: "POST", path: "/webhooks", headers: {}, body: Buffer.from("{}") },
    target: null,
    replayOf: null,
  });

  it("keeps fewer records once told to (listen without a view), dropping the oldest at once", () => {
    const log = new DeliveryLog(5);
    for (let seq = 1; seq <= 4; seq++) log.add(record(seq));
    log.keepAtMost(2);
    expect(log.records().map((r) => r.seq)).toEqual([3, 4]);
    expect(log.bodyBytes).toBe(4);
    for (let seq = 5; seq <= 9; seq++) log.add(record(seq));
    expect(log.records().map((r) => r.seq)).toEqual([8, 9]);
    expect(log.get(7)).toBeUndefined();
    // A forward that completes after its record was dropped is not put back.
    expect(log.update({ ...record(7), target: null })).toBe(false);
    expect(log.update({ ...record(9), attempt: 2 })).toBe(true);
    expect(log.get(9)?.attempt).toBe(2);
    // Never below one record, never above what the ring was built with.
    log.keepAtMost(0);
    expect(log.size).toBe(1);
    log.keepAtMost(50);
    for (let seq = 10; seq <= 20; seq++) log.add(record(seq));
    expect(log.size).toBe(5);
  });
});
