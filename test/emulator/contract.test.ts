import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { apiFor, startReceiver, type Api, type Receiver } from "./helpers.js";

const KEY = "sk_test_contractKey0123456789";
let emulator: RunningEmulator;
let api: Api;
let receiver: Receiver;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, apiKeys: [KEY, "sk_test_second0000000000"], timeScale: 100_000 });
  api = apiFor(emulator.url, KEY);
  receiver = await startReceiver();
});
afterAll(async () => {
  await emulator?.close();
  await receiver?.close();
});

const create = (body: Record<string, unknown>) => api("POST", "/webhooks", { url: receiver.url, events: ["order.created"], ...body });

describe("auth", () => {
  it("401 in the error shape without a key, with a wrong key, with a non-Bearer header", async () => {
    for (const key of [null, "sk_test_wrong", ""]) {
      const r = await api("GET", "/webhooks", undefined, key);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: { code: "unauthorized", message: expect.stringMatching(/API key/) } });
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    const basic = await fetch(emulator.url + "/webhooks", { headers: { authorization: `Basic ${KEY}` } });
    expect(basic.status).toBe(401);
  });

  it("any of the configured keys works", async () => {
    expect((await api("GET", "/webhooks")).status).toBe(200);
    expect((await api("GET", "/webhooks", undefined, "sk_test_second0000000000")).status).toBe(200);
  });

  it("a generated key when none is given", async () => {
    const other = await startEmulator({ port: 0 });
    try {
      expect(other.apiKey).toMatch(/^sk_test_\S{20,}$/);
      expect((await apiFor(other.url, other.apiKey)("GET", "/webhooks")).status).toBe(200);
      expect((await apiFor(other.url, KEY)("GET", "/webhooks")).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe("endpoints", () => {
  it("create → 201 with the secret in full once; get, list and patch mask it", async () => {
    const r = await create({ description: "d" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: expect.stringMatching(/^we_/), url: receiver.url, events: ["order.created"], description: "d", enabled: true });
    expect(r.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const id = r.body.id;
    const get = await api("GET", `/webhooks/${id}`);
    expect(get.body.secret).toMatch(/^whsec_•+\S{4}$/);
    expect(get.body.secret).not.toBe(r.body.secret);
    const list = await api("GET", "/webhooks");
    expect(list.body.data.find((e: { id: string }) => e.id === id).secret).toBe(get.body.secret);
    const patched = await api("PATCH", `/webhooks/${id}`, { events: ["draw.consumer.won"], description: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ events: ["draw.consumer.won"], description: null, secret: get.body.secret });
  });

  it("a whsec_ secret can be supplied; rotate-secret returns a new one", async () => {
    const secret = "whsec_suppliedSecret0123456789";
    const r = await create({ secret, enabled: false });
    expect(r.body).toMatchObject({ secret, enabled: false });
    const rotated = await api("POST", `/webhooks/${r.body.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(Object.keys(rotated.body)).toEqual(["secret"]);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
  });

  it("https anywhere, http only to loopback", async () => {
    for (const url of ["https://example.com/hooks", "http://127.0.0.1:9/x", "http://localhost/x", "http://[::1]:3000/x", "http://127.1.2.3/x"]) {
      expect((await create({ url })).status, url).toBe(201);
    }
    for (const url of ["http://example.com/hooks", "ftp://example.com/x", "not a url"]) {
      const r = await create({ url });
      expect(r.status, url).toBe(422);
      expect(r.body.error).toMatchObject({ code: "validation_failed", fields: { url: expect.any(String) } });
    }
  });

  it("422 names every bad field; unknown events by name", async () => {
    const r = await api("POST", "/webhooks", { url: "http://example.com", events: ["order.created", "nope.never"] });
    expect(r.status).toBe(422);
    expect(r.body.error.fields).toEqual({ url: expect.stringMatching(/https/), events: expect.stringMatching(/nope\.never/) });
    expect(r.body.error.message).toMatch(/url .*; events /);
    const missing = await api("POST", "/webhooks", {});
    expect(missing.status).toBe(422);
    expect(Object.keys(missing.body.error.fields).sort()).toEqual(["events", "url"]);
    const empty = await create({ events: [] });
    expect(empty.body.error.fields.events).toMatch(/at least one/);
    const secret = await create({ secret: "plain" });
    expect(secret.body.error.fields.secret).toMatch(/whsec_/);
  });

  it("400 for the wrong JSON types, unknown fields and bodies that are not JSON", async () => {
    const typed = await api("POST", "/webhooks", { url: 5, events: "order.created", colour: "red" });
    expect(typed.status).toBe(400);
    expect(typed.body.error).toMatchObject({ code: "invalid_request", fields: { url: expect.any(String), events: expect.any(String), colour: expect.any(String) } });
    const broken = await api("POST", "/webhooks", "{not json");
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe("invalid_json");
    const patchSecret = await api("PATCH", `/webhooks/${(await create({})).body.id}`, { secret: "whsec_xxxxxxxxxxxxxxxxxxxx" });
    expect(patchSecret.status).toBe(400);
    expect(patchSecret.body.error.fields.secret).toMatch(/rotate-secret/);
  });

  it("delete → 204, then 404 everywhere for that id", async () => {
    const { id } = (await create({})).body;
    const del = await api("DELETE", `/webhooks/${id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    for (const [method, path] of [
      ["GET", `/webhooks/${id}`],
      ["PATCH", `/webhooks/${id}`],
      ["DELETE", `/webhooks/${id}`],
      ["POST", `/webhooks/${id}/rotate-secret`],
      ["GET", `/webhooks/${id}/health`],
      ["GET", `/webhooks/${id}/deliveries`],
    ] as const) {
      const r = await api(method, path, method === "PATCH" ? {} : undefined);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body).toEqual({ error: { code: "not_found", message: `endpoint ${id} not found` } });
    }
  });
});

describe("limits on what is sent to it", () => {
  it("an endpoint URL longer than 2,048 characters is 422, naming the field", async () => {
    const long = `http://127.0.0.1:9/${"a".repeat(2048)}`;
    const r = await create({ url: long });
    expect(r.status).toBe(422);
    expect(r.body.error.fields.url).toBe("must be at most 2048 characters");
    const ok = await create({ url: `http://127.0.0.1:9/${"a".repeat(1900)}` });
    expect(ok.status).toBe(201);
  });

  it("a test event nested 10,000 deep is 400, not a crash", async () => {
    const ep = (await create({})).body;
    const deep = '{"eventType":"order.created","data":' + '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000) + "}";
    const r = await api("POST", `/webhooks/${ep.id}/test`, deep);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("too_deep");
    // Ordinary nesting still goes through.
    const fine = await api("POST", `/webhooks/${ep.id}/test`, { eventType: "order.created", data: { a: { b: { c: 1 } } } });
    expect(fine.status).not.toBe(400);
  });
});

describe("routes", () => {
  it("404 for unknown paths, 405 with Allow for a wrong method", async () => {
    expect((await api("GET", "/nothing")).status).toBe(404);
    expect((await fetch(emulator.url.replace(/\/api$/, "/other"))).status).toBe(404);
    const r = await api("PUT", "/webhooks");
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("GET, POST, HEAD");
    expect(r.body.error.code).toBe("method_not_allowed");
  });

  it("test events: 422 for an unknown event, 409 on a paused endpoint, 404 for a missing delivery", async () => {
    const { id } = (await create({})).body;
    const unknown = await api("POST", `/webhooks/${id}/test`, { eventType: "nope.never" });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields.eventType).toMatch(/unknown event/);
    await api("PATCH", `/webhooks/${id}`, { enabled: false });
    const paused = await api("POST", `/webhooks/${id}/test`, { eventType: "order.created" });
    expect(paused.status).toBe(409);
    expect(paused.body.error.code).toBe("endpoint_paused");
    const missing = await api("GET", `/webhooks/${id}/deliveries/whk_missing`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe("delivery whk_missing not found");
    expect((await api("POST", `/webhooks/${id}/deliveries/whk_missing/redeliver`)).status).toBe(404);
  });

  it("deliveries query: 422 for an unknown status or a limit out of range", async () => {
    const { id } = (await create({})).body;
    const r = await api("GET", `/webhooks/${id}/deliveries?status=lost&limit=0`);
    expect(r.status).toBe(422);
    expect(Object.keys(r.body.error.fields).sort()).toEqual(["limit", "status"]);
    expect((await api("GET", `/webhooks/${id}/deliveries?limit=100&status=failed`)).body).toEqual({ data: [] });
  });

  it("deliveries?since= returns only those created or updated at or after it; 422 for a bad time", async () => {
    const { id } = (await create({})).body;
    const first = (await api("POST", `/webhooks/${id}/test`, { eventType: "order.created" })).body;
    const second = (await api("POST", `/webhooks/${id}/test`, { eventType: "order.created" })).body;
    expect(Date.parse(second.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.updatedAt));
    const all = (await api("GET", `/webhooks/${id}/deliveries?since=${encodeURIComponent(first.updatedAt)}`)).body.data;
    expect(all.map((d: { id: string }) => d.id)).toEqual([second.id, first.id]);
    const later = new Date(Date.parse(first.updatedAt) + 1).toISOString();
    const changed = (await api("GET", `/webhooks/${id}/deliveries?since=${later}`)).body.data;
    expect(changed.map((d: { id: string }) => d.id)).toEqual(second.updatedAt > first.updatedAt ? [second.id] : []);
    // A redelivery updates the first one: it is "since" again, with a newer updatedAt.
    const redelivered = (await api("POST", `/webhooks/${id}/deliveries/${first.id}/redeliver`)).body;
    expect(Date.parse(redelivered.updatedAt)).toBeGreaterThan(Date.parse(first.updatedAt));
    const after = (await api("GET", `/webhooks/${id}/deliveries?since=${encodeURIComponent(redelivered.updatedAt)}`)).body.data;
    expect(after.map((d: { id: string }) => d.id)).toContain(first.id);
    const future = (await api("GET", `/webhooks/${id}/deliveries?since=2999-01-01T00:00:00Z`)).body;
    expect(future).toEqual({ data: [] });
    for (const bad of ["yesterday", "2026-11-30", "1700000000"]) {
      const r = await api("GET", `/webhooks/${id}/deliveries?since=${bad}`);
      expect(r.status).toBe(422);
      expect(Object.keys(r.body.error.fields)).toEqual(["since"]);
    }
  });

  it("a test event returns the delivery after its first attempt, with the sample built from the catalog", async () => {
    const { id } = (await create({})).body;
    const r = await api("POST", `/webhooks/${id}/test`, { eventType: "order.created", data: { note: "hi", id: "kept-in-data" } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ endpointId: id, eventType: "order.created", status: "succeeded", attempt: 1 });
    const payload = JSON.parse(r.body.request.body);
    expect(payload).toMatchObject({ id: r.body.id, type: "order.created", data: { note: "hi", id: "kept-in-data" } });
    expect(payload.id).toMatch(/^whk_/);
    expect(payload.data.currencyCode).toBeDefined();
    expect(r.body.request.headers["x-fanfare-delivery-id"]).toBe(r.body.id);
    const health = await api("GET", `/webhooks/${id}/health`);
    expect(health.body).toEqual({ healthy: true, lastDelivery: r.body.attempts[0].startedAt, successRate: 1 });
  });
});

describe("request bodies", () => {
  it("a chunked body over 1 MB is refused (413, or the connection closed mid-upload), and the emulator keeps serving", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number | string>((resolve) => {
      const req = request(emulator.url + "/webhooks", {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", "transfer-encoding": "chunked" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", (error) => resolve(error.message));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      for (let i = 0; i < 20; i++) req.write(chunk);
      req.end();
    });
    expect([413, "socket hang up", "read ECONNRESET", "write EPIPE"]).toContain(status);
    const good = await create({});
    expect(good.status).toBe(201);
  });
});
