import { describe, expect, it } from "vitest";
import { deliveryHeaders, HEADER, USER_AGENT } from "../../src/signing/headers.js";
import { signPayload, verifySignature } from "../../src/signing/signature.js";

describe("deliveryHeaders", () => {
  const input = {
    eventType: "draw.consumer.won",
    deliveryId: "whk_01J1Z8Q6ZK3M4N5P6Q7R8S9T0V",
    timestamp: 1_718_000_000,
    signature: "t=1718000000,v1=" + "a".repeat(64),
  };

  it("carries the six headers of the webhooks overview, with their values", () => {
    const headers = deliveryHeaders(input);
    // HTTP header names are case-insensitive; compare that way so the casing can be either.
    const byName = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(byName.size).toBe(6);
    expect(byName.get("content-type")).toBe("application/json");
    expect(byName.get("user-agent")).toBe("Fanfare-Webhooks/1.0");
    expect(byName.get("x-fanfare-event-type")).toBe("draw.consumer.won");
    expect(byName.get("x-fanfare-delivery-id")).toBe(input.deliveryId);
    expect(byName.get("x-fanfare-timestamp")).toBe("1718000000");
    expect(byName.get("x-fanfare-signature")).toBe(input.signature);
  });

  it("exports the names and user agent as the overview spells them", () => {
    expect(HEADER).toEqual({
      signature: "X-Fanfare-Signature",
      timestamp: "X-Fanfare-Timestamp",
      eventType: "X-Fanfare-Event-Type",
      deliveryId: "X-Fanfare-Delivery-Id",
    });
    expect(USER_AGENT).toBe("Fanfare-Webhooks/1.0");
  });

  it("round-trips: what a receiver reads from the headers verifies", () => {
    const secret = "whsec_roundtrip";
    const body = '{"type":"queue.consumer.admitted"}';
    const ts = 1_718_000_000;
    const headers = deliveryHeaders({ ...input, timestamp: ts, signature: signPayload(secret, body, "v1", ts) });
    const result = verifySignature({
      secret,
      payload: body,
      signature: headers[HEADER.signature.toLowerCase()],
      timestamp: headers[HEADER.timestamp.toLowerCase()],
      now: ts + 1,
    });
    expect(result).toMatchObject({ valid: true, scheme: "v1", timestamp: ts });
  });
});
