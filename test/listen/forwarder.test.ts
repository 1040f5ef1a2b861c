import { afterEach, describe, expect, it } from "vitest";
import { Forwarder, statusForError } from "../../src/listen/forwarder.js";
import { freePort, startTarget, type Target } from "./servers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function target(...args: Parameters<typeof startTarget>): Promise<Target> {
  const t = await startTarget(...args);
  cleanups.push(() => t.close());
  return t;
}

async function forwarder(url: string, options: Parameters<typeof Forwarder.create>[1] = {}) {
  const f = await Forwarder.create(new URL(url), options);
  cleanups.push(() => f.close());
  return f;
}

const deliveryHeaders = {
  "content-type": "application/json",
  "user-agent": "Fanfare-Webhooks/1.0",
  "x-fanfare-event-type": "draw.consumer.won",
  "x-fanfare-delivery-id": "whk_1",
  "x-fanfare-timestamp": "1700000000",
  "x-fanfare-signature": "t=1700000000,v1=abc",
  host: "127.0.0.1:1",
  cookie: "session=secret",
  "x-forwarded-for": "1.2.3.4",
};

describe("Forwarder", () => {
  it("passes the target's status, body and content-type through", async () => {
    const t = await target((_req, res) => {
      res.writeHead(418, { "content-type": "text/plain", "x-app": "yes" });
      res.end("short and stout");
    });
    const f = await forwarder(`${t.url}/hook?x=1`);
    const outcome = await f.forward(deliveryHeaders, Buffer.from("{}"));
    expect(outcome.result).toMatchObject({
      url: `${t.url}/hook?x=1`,
      statusCode: 418,
      error: null,
      responseBody: "short and stout",
    });
    expect(outcome.result.responseHeaders["x-app"]).toBe("yes");
    expect(outcome.body.toString()).toBe("short and stout");
    expect(outcome.contentType).toBe("text/plain");
    expect(outcome.result.durationMs).toBeGreaterThanOrEqual(0);
    expect(t.received[0]!.url).toBe("/hook?x=1");
  });

  it("forwards the raw body and only the delivery headers, plus --headers", async () => {
    const t = await target();
    const f = await forwarder(t.url + "/", { extraHeaders: { authorization: "Bearer dev", "x-fanfare-timestamp": "1" } });
    const body = Buffer.from([0x7b, 0xff, 0x00, 0x7d]);
    await f.forward(deliveryHeaders, body);
    const got = t.received[0]!;
    expect(got.body.equals(body)).toBe(true);
    expect(got.headers["x-fanfare-signature"]).toBe("t=1700000000,v1=abc");
    expect(got.headers["x-fanfare-delivery-id"]).toBe("whk_1");
    expect(got.headers["x-fanfare-event-type"]).toBe("draw.consumer.won");
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["user-agent"]).toBe("Fanfare-Webhooks/1.0");
    expect(got.headers.authorization).toBe("Bearer dev");
    // --headers wins over a forwarded header of the same name.
    expect(got.headers["x-fanfare-timestamp"]).toBe("1");
    expect(got.headers.cookie).toBeUndefined();
    expect(got.headers["x-forwarded-for"]).toBeUndefined();
    expect(got.headers.host).toBe(new URL(t.url).host);
    expect(got.headers["content-length"]).toBe("4");
  });

  it("gives each forwarder of one delivery its own --headers, and the next delivery its own headers", async () => {
    const t = await target();
    const plain = await forwarder(t.url + "/plain");
    const withAuth = await forwarder(t.url + "/auth", { extraHeaders: { authorization: "Bearer dev" } });
    const other = await forwarder(t.url + "/other");
    // The relay's order: every target of a delivery with the same headers object, then the next one.
    await plain.forward(deliveryHeaders, Buffer.from("1"));
    await withAuth.forward(deliveryHeaders, Buffer.from("1"));
    await other.forward(deliveryHeaders, Buffer.from("1"));
    await plain.forward({ ...deliveryHeaders, "x-fanfare-delivery-id": "whk_2" }, Buffer.from("2"));
    const got = Object.fromEntries(t.received.map((r, i) => [`${i} ${r.url}`, [r.headers.authorization, r.headers["x-fanfare-delivery-id"]]]));
    expect(got).toEqual({
      "0 /plain": [undefined, "whk_1"],
      "1 /auth": ["Bearer dev", "whk_1"],
      "2 /other": [undefined, "whk_1"],
      "3 /plain": [undefined, "whk_2"],
    });
  });

  it("reports connection refused when nothing listens (502 for the sender)", async () => {
    const f = await forwarder(`http://127.0.0.1:${await freePort()}/`);
    const outcome = await f.forward(deliveryHeaders, Buffer.from("{}"));
    expect(outcome.result).toMatchObject({ statusCode: null, error: "connection refused", responseBody: "" });
    expect(statusForError(outcome.cause)).toBe(502);
  });

  it("reports a timeout when the target does not answer in time (504 for the sender)", async () => {
    const t = await target(() => {
      /* never answers */
    });
    const f = await forwarder(t.url, { timeoutMs: 200 });
    const outcome = await f.forward(deliveryHeaders, Buffer.from("{}"));
    expect(outcome.result).toMatchObject({ statusCode: null, error: "timed out after 200 ms" });
    expect(outcome.cause).toBe("timeout");
    expect(outcome.result.durationMs).toBeGreaterThanOrEqual(150);
    expect(statusForError(outcome.cause)).toBe(504);
  });

  it("reuses keep-alive connections", async () => {
    const t = await target();
    const f = await forwarder(t.url);
    for (let i = 0; i < 5; i++) await f.forward(deliveryHeaders, Buffer.from("{}"));
    expect(t.received.every((r) => r.headers.connection !== "close")).toBe(true);
    expect(t.received).toHaveLength(5);
  });

  it("truncates the recorded response but relays the body", async () => {
    const big = "x".repeat(10_000);
    const t = await target((_req, res) => res.end(big));
    const f = await forwarder(t.url);
    const outcome = await f.forward(deliveryHeaders, Buffer.from("{}"));
    expect(outcome.result.responseBody.length).toBe(4096);
    expect(outcome.body.length).toBe(10_000);
  });

  it("answers the sender 504 for a timeout and 502 for any other cause", () => {
    expect(statusForError("timeout")).toBe(504);
    for (const cause of ["connection_refused", "connection_reset", "host_not_found", "tls", "too_large", "network_error"] as const) {
      expect(statusForError(cause)).toBe(502);
    }
  });
});
