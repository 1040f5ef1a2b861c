import { describe, expect, it } from "vitest";
import { outgoingHeaders } from "../../src/listen/outgoing-headers.js";

const incoming = {
  "content-type": "application/json",
  "user-agent": "Fanfare-Webhooks/1.0",
  "x-fanfare-event-type": "draw.consumer.won",
  "x-fanfare-delivery-id": "whk_1",
  "x-fanfare-timestamp": "1700000000",
  "x-fanfare-signature": "t=1700000000,v1=abc",
  "webhook-id": "msg_1",
  "webhook-timestamp": "1700000000",
  "webhook-signature": "v1,abc",
  host: "127.0.0.1:1",
  cookie: "session=secret",
  authorization: "Bearer from-the-sender",
  "content-length": "2",
  connection: "keep-alive",
  "x-forwarded-for": "1.2.3.4",
  "x-fanfare": "not a prefix match",
};

describe("outgoingHeaders", () => {
  it("keeps X-Fanfare-*, webhook-*, content-type and user-agent, and nothing else", () => {
    expect(outgoingHeaders(incoming, {})).toEqual({
      "content-type": "application/json",
      "user-agent": "Fanfare-Webhooks/1.0",
      "x-fanfare-event-type": "draw.consumer.won",
      "x-fanfare-delivery-id": "whk_1",
      "x-fanfare-timestamp": "1700000000",
      "x-fanfare-signature": "t=1700000000,v1=abc",
      "webhook-id": "msg_1",
      "webhook-timestamp": "1700000000",
      "webhook-signature": "v1,abc",
    });
  });

  it("adds --headers, which win over a forwarded header of the same name", () => {
    const headers = outgoingHeaders(incoming, { authorization: "Bearer dev", "x-fanfare-timestamp": "1", "x-env": "dev" });
    expect(headers.authorization).toBe("Bearer dev");
    expect(headers["x-fanfare-timestamp"]).toBe("1");
    expect(headers["x-env"]).toBe("dev");
    expect(headers["x-fanfare-signature"]).toBe("t=1700000000,v1=abc");
    expect(headers.cookie).toBeUndefined();
    expect(headers.host).toBeUndefined();
  });

  it("returns a new object and changes neither argument", () => {
    const given = { ...incoming };
    const extra = { "x-env": "dev" };
    const headers = outgoingHeaders(given, extra);
    expect(headers).not.toBe(given);
    expect(headers).not.toBe(extra);
    expect(given).toEqual(incoming);
    expect(extra).toEqual({ "x-env": "dev" });
    expect(outgoingHeaders({}, {})).toEqual({});
  });
});
