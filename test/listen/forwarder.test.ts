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

/** Headers as the relay hands them over: already filtered (outgoing-headers.ts). */
const deliveryHeaders = {
  "content-type": "application/json",
  "user-agent": "Fanfare-Webhooks/1.0",
  "x-fanfare-event-type": "draw.consumer.won",
  "x-fanfare-delivery-id": "whk_1",
  "x-fanfare-timestamp": "1700000000",
  "x-fanfare-signature": "t=1700000000,v1=abc",
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

  it("sends the raw body and exactly the headers it is given (the relay picks them)", async () => {
    const t = await target();
    const f = await forwarder(t.url + "/");
    const body = Buffer.from([0x7b, 0xff, 0x00, 0x7d]);
    const headers = { "x-fanfare-signature": "t=1700000000,v1=abc", "content-type": "application/json", authorization: "Bearer dev" };
    await f.forward(headers, body);
    await f.forward({ "x-fanfare-delivery-id": "whk_2" }, body);
    const [first, second] = t.received;
    expect(first!.body.equals(body)).toBe(true);
    expect(first!.headers["x-fanfare-signature"]).toBe("t=1700000000,v1=abc");
    expect(first!.headers["content-type"]).toBe("application/json");
    // No filtering here: what it is given goes, even a header the relay would not forward.
    expect(first!.headers.authorization).toBe("Bearer dev");
    expect(first!.headers.host).toBe(new URL(t.url).host);
    expect(first!.headers["content-length"]).toBe("4");
    expect(second!.headers["x-fanfare-delivery-id"]).toBe("whk_2");
    expect(second!.headers["x-fanfare-signature"]).toBeUndefined();
    expect(second!.headers.authorization).toBeUndefined();
    // undici only reads the object, so the relay can hand the same one to every target.
    expect(headers).toEqual({ "x-fanfare-signature": "t=1700000000,v1=abc", "content-type": "application/json", authorization: "Bearer dev" });
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
    for (const cause of ["connection_refused", "connection_reset", "host_not_found", "tls", "too_large", "invalid_header", "network_error"] as const) {
      expect(statusForError(cause)).toBe(502);
    }
  });
});
