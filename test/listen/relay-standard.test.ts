import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { DeliveryLog } from "../../src/listen/delivery-log.js";
import { Forwarder } from "../../src/listen/forwarder.js";
import { DeliveryRelay } from "../../src/listen/relay.js";
import { deliveryHeaders } from "../../src/signing/headers.js";
import { signPayload } from "../../src/signing/signature.js";
import { startTarget } from "./servers.js";

// listen with Standard Webhooks deliveries: verified from the webhook-* headers with the session's
// secret, and forwarded with them, so a handler on the standardwebhooks library accepts them.

const SECRET = "whsec_MfKQ9r8GKYqrTz3P0bEGfVqKjL2mNoPq";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function standardDelivery(body: string, id: string, secret = SECRET) {
  const ts = Math.floor(Date.now() / 1000);
  const bytes = Buffer.from(body);
  const signature = signPayload(secret, bytes, "standard", ts, id);
  return { method: "POST", path: "/webhooks", headers: deliveryHeaders({ eventType: "order.created", deliveryId: id, timestamp: ts, signature }), body: bytes };
}

describe("DeliveryRelay with the standard scheme", () => {
  it("verifies webhook-* headers, takes the id from webhook-id, and forwards them for the library to verify", async () => {
    const target = await startTarget();
    cleanups.push(() => target.close());
    const forwarder = await Forwarder.create(new URL(target.url));
    cleanups.push(() => forwarder.close());
    const relay = new DeliveryRelay({ targets: [{ pattern: null, matches: () => true, forwarder }], secret: SECRET, log: new DeliveryLog(10) });

    const body = '{"id":"whk_std","type":"order.created","data":{"amount":"149.99"}}';
    expect((await relay.receive(standardDelivery(body, "msg_std_1"))).statusCode).toBe(200);
    expect(relay.log.get(1)).toMatchObject({ id: "msg_std_1", eventType: "order.created", signature: "valid", signatureReason: null });
    const got = target.received[0]!;
    expect(new Webhook(SECRET).verify(got.body.toString(), got.headers as Record<string, string>)).toMatchObject({ type: "order.created" });

    // Another secret's signature is flagged with the reason, and still forwarded.
    await relay.receive(standardDelivery(body, "msg_std_2", "whsec_b3RoZXJzZWNyZXRvdGhlcnNlY3JldA=="));
    expect(relay.log.get(2)).toMatchObject({ signature: "invalid", signatureReason: "the signature does not match the payload and secret" });
    expect(target.received).toHaveLength(2);
  });
});
