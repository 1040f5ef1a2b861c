import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createDeliveryClient,
  describeDeliveryError,
  signDelivery,
  type DeliveryClient,
} from "../../src/delivery/send.js";

const SECRET = "whsec_unitTestSecret";

interface Received {
  headers: IncomingMessage["headers"];
  body: Buffer;
  remotePort: number | undefined;
}

let server: Server;
let base: string;
let received: Received[] = [];
let respond: (req: IncomingMessage, res: ServerResponse) => void;
let client: DeliveryClient | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks), remotePort: req.socket.remotePort });
      respond(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  received = [];
});

function delivery(body = '{"id":"whk_1","type":"draw.consumer.won"}') {
  return signDelivery({
    eventType: "draw.consumer.won",
    deliveryId: "whk_1",
    body,
    secret: SECRET,
    scheme: "v1",
    timestamp: 1_700_000_000,
  });
}

describe("signDelivery", () => {
  it("signs exactly the body it carries, with the six delivery headers", () => {
    const d = delivery('{"a": "é"}');
    const hmac = createHmac("sha256", SECRET).update('1700000000.{"a": "é"}').digest("hex");
    expect(d.headers).toEqual({
      "content-type": "application/json",
      "user-agent": "Fanfare-Webhooks/1.0",
      "x-fanfare-event-type": "draw.consumer.won",
      "x-fanfare-delivery-id": "whk_1",
      "x-fanfare-timestamp": "1700000000",
      "x-fanfare-signature": `t=1700000000,v1=${hmac}`,
    });
  });

  it("signs the raw body for sha256 and hex", () => {
    const body = '{"x":1}';
    const hex = createHmac("sha256", SECRET).update(body).digest("hex");
    const sign = (scheme: "sha256" | "hex") =>
      signDelivery({ eventType: "e", deliveryId: "i", body, secret: SECRET, scheme, timestamp: 1 }).headers[
        "x-fanfare-signature"
      ];
    expect(sign("sha256")).toBe(`sha256=${hex}`);
    expect(sign("hex")).toBe(hex);
  });
});

describe("createDeliveryClient", () => {
  it("POSTs the body byte for byte with the headers and reports the answer", async () => {
    respond = (_req, res) => res.writeHead(202).end("thanks");
    client = await createDeliveryClient();
    const d = delivery('{"name":"Zoë ✓"}');
    const result = await client.send(new URL(`${base}/webhooks?x=1`), d);
    expect(result).toMatchObject({
      event: "draw.consumer.won",
      id: "whk_1",
      url: `${base}/webhooks?x=1`,
      status: 202,
      ok: true,
      error: null,
      errorCode: null,
      responseBody: "thanks",
    });
    expect(result.durationMs).toBeGreaterThan(0);
    expect(received).toHaveLength(1);
    expect(received[0]!.body.equals(Buffer.from('{"name":"Zoë ✓"}', "utf8"))).toBe(true);
    for (const [name, value] of Object.entries(d.headers)) expect(received[0]!.headers[name]).toBe(value);
  });

  it("treats a non-2xx answer as a failed delivery and keeps only the start of a long body", async () => {
    respond = (_req, res) => res.writeHead(500).end("x".repeat(100_000));
    client = await createDeliveryClient();
    const result = await client.send(new URL(`${base}/webhooks`), delivery());
    expect(result).toMatchObject({ status: 500, ok: false, error: null });
    expect(result.responseBody).toBe("x".repeat(2048));
  });

  it("reuses one keep-alive connection for deliveries in sequence", async () => {
    respond = (_req, res) => res.writeHead(200).end();
    client = await createDeliveryClient({ connections: 1 });
    for (let i = 0; i < 5; i++) await client.send(new URL(`${base}/webhooks`), delivery());
    expect(new Set(received.map((r) => r.remotePort)).size).toBe(1);
  });

  it("reports a closed port as connection refused", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    client = await createDeliveryClient();
    const result = await client.send(new URL(`http://127.0.0.1:${port}/webhooks`), delivery());
    expect(result).toMatchObject({ status: null, ok: false, error: "connection refused", errorCode: "connection_refused" });
  });

  it("gives up on a receiver that does not answer in time", async () => {
    respond = () => {}; // never answers
    client = await createDeliveryClient({ timeoutMs: 200 });
    const result = await client.send(new URL(`${base}/webhooks`), delivery());
    expect(result).toMatchObject({ status: null, ok: false, errorCode: "timeout", error: "timed out after 200 ms" });
    await client.destroy();
    client = undefined;
  });

  it("marks deliveries cut short by destroy() as interrupted", async () => {
    // Destroyed once the receiver has the request (not after a guessed delay), so it is in flight.
    let arrived!: () => void;
    const reached = new Promise<void>((r) => (arrived = r));
    respond = () => arrived(); // never answers
    client = await createDeliveryClient();
    const pending = client.send(new URL(`${base}/webhooks`), delivery());
    await reached;
    await client.destroy();
    client = undefined;
    expect(await pending).toMatchObject({ status: null, errorCode: "interrupted" });
  });
});

describe("describeDeliveryError", () => {
  it("gives the HTTP layer's cause as the result's errorCode, with its words", () => {
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    expect(describeDeliveryError(reset)).toEqual({ code: "connection_reset", message: "connection reset" });
    expect(describeDeliveryError({ code: "UND_ERR_HEADERS_TIMEOUT" }, 30_000)).toEqual({
      code: "timeout",
      message: "timed out after 30 s",
    });
  });
});
