import { afterEach, describe, expect, it } from "vitest";
import { createApiClient, type ApiClient, type ApiClientOptions } from "../../src/api/client.js";
import { ApiError } from "../../src/api/errors.js";
import { sendJson, startServer, type TestServer } from "./servers.js";

const KEY = "sk_test_SuperSecretKeyValue1234";
const ENDPOINT = {
  id: "we_1",
  url: "https://example.com/hooks",
  events: ["draw.consumer.won"],
  description: null,
  enabled: true,
  secret: "whsec_••••••••abcd",
  createdAt: "2026-11-23T07:00:00.000Z",
  updatedAt: "2026-11-23T07:00:00.000Z",
};

let servers: TestServer[] = [];
let clients: ApiClient[] = [];

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

function client(base: string, options: Partial<ApiClientOptions> = {}): ApiClient {
  const c = createApiClient({ baseUrl: base, apiKey: KEY, retryBaseDelayMs: 5, ...options });
  clients.push(c);
  return c;
}

async function failureOf(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("api client: requests", () => {
  it("still works after close(), on new connections", async () => {
    const server = await serve((_req, res) => sendJson(res, 200, { data: [ENDPOINT] }));
    const c = client(server.base);
    expect(await c.listEndpoints()).toEqual([ENDPOINT]);
    await c.close();
    expect(await c.listEndpoints()).toEqual([ENDPOINT]);
  });

  it("sends the bearer key, JSON both ways, and unwraps { data }", async () => {
    const server = await serve((req, res) => {
      if (req.method === "GET") sendJson(res, 200, { data: [ENDPOINT] });
      else sendJson(res, 201, { ...ENDPOINT, secret: "whsec_full_secret_value" });
    });
    const c = client(server.base + "/");
    expect(await c.listEndpoints()).toEqual([ENDPOINT]);
    const created = await c.createEndpoint({ url: "https://example.com/hooks", events: ["draw.consumer.won"] });
    expect(created.secret).toBe("whsec_full_secret_value");

    const [get, post] = server.requests;
    expect(get!.url).toBe("/api/webhooks");
    expect(get!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(post!.method).toBe("POST");
    expect(post!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(post!.body)).toEqual({ url: "https://example.com/hooks", events: ["draw.consumer.won"] });
  });

  it("builds every path of the contract, escaping ids and passing the query", async () => {
    const server = await serve((req, res) => {
      if (req.method === "DELETE") {
        res.writeHead(204);
        res.end();
      } else if (req.url!.includes("/deliveries?")) sendJson(res, 200, { data: [] });
      else sendJson(res, 200, {});
    });
    const c = client(server.base);
    await c.getEndpoint("we 1");
    await c.updateEndpoint("we_1", { enabled: false });
    await expect(c.deleteEndpoint("we_1")).resolves.toBeUndefined();
    await c.rotateSecret("we_1");
    await c.sendTest("we_1", "draw.consumer.won", { position: 5 });
    await c.health("we_1");
    await c.listDeliveries("we_1", { status: "failed", limit: 5 });
    await c.getDelivery("we_1", "whk_1");
    await c.redeliver("we_1", "whk_1");
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /api/webhooks/we%201",
      "PATCH /api/webhooks/we_1",
      "DELETE /api/webhooks/we_1",
      "POST /api/webhooks/we_1/rotate-secret",
      "POST /api/webhooks/we_1/test",
      "GET /api/webhooks/we_1/health",
      "GET /api/webhooks/we_1/deliveries?status=failed&limit=5",
      "GET /api/webhooks/we_1/deliveries/whk_1",
      "POST /api/webhooks/we_1/deliveries/whk_1/redeliver",
    ]);
    expect(JSON.parse(server.requests[4]!.body)).toEqual({ eventType: "draw.consumer.won", data: { position: 5 } });
  });
});

describe("api client: errors", () => {
  it("401 → exit 1 with the login hint, not retried", async () => {
    const server = await serve((_req, res) => sendJson(res, 401, { error: { code: "unauthorized", message: "invalid API key" } }));
    const error = await failureOf(client(server.base).listEndpoints());
    expect(error.status).toBe(401);
    expect(error.exitCode).toBe(1);
    expect(error.code).toBe("unauthorized");
    expect(error.message).toBe("the API rejected the key (401 unauthorized: invalid API key)");
    expect(error.hint).toMatch(/fanfare login.*FANFARE_SECRET_KEY/);
    expect(server.requests).toHaveLength(1);
  });

  it("422 lists the server's field errors", async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 422, {
        error: { code: "validation_failed", message: "invalid", fields: { url: "must be https", events: "unknown event nope.x" } },
      }),
    );
    const error = await failureOf(client(server.base).createEndpoint({ url: "http://x", events: ["nope.x"] }));
    expect(error.message).toBe("invalid request: url: must be https; events: unknown event nope.x");
    expect(error.fields).toEqual({ url: "must be https", events: "unknown event nope.x" });
    expect(error.exitCode).toBe(1);
  });

  it("404 names the missing endpoint or delivery", async () => {
    const server = await serve((_req, res, n) =>
      sendJson(res, 404, { error: { code: "not_found", message: n === 0 ? "the endpoint was deleted" : "no such delivery" } }),
    );
    const c = client(server.base);
    expect((await failureOf(c.getEndpoint("we_gone"))).message).toBe("no such endpoint we_gone (the endpoint was deleted)");
    const d = await failureOf(c.getDelivery("we_1", "whk_gone"));
    expect(d.message).toBe("no such delivery whk_gone on endpoint we_1");
    expect(d.hint).toMatch(/deliveries list we_1/);
  });

  it("a 200 that is not JSON points at --api-base", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>marketing site</html>");
    });
    const error = await failureOf(client(server.base).listEndpoints());
    expect(error.code).toBe("bad_response");
    expect(error.message).toMatch(/answered 200 with something that is not JSON/);
    expect(error.hint).toMatch(/--api-base/);
  });

  it("a refused connection → cannot reach <base>, with the --api-base hint", async () => {
    const server = await serve((_req, res) => sendJson(res, 200, {}));
    const base = server.base;
    await server.close();
    servers = [];
    const error = await failureOf(client(base).listEndpoints());
    expect(error.message).toBe(`cannot reach ${base} (connection refused, after 1 retry)`);
    expect(error.code).toBe("network_error");
    expect(error.status).toBeNull();
    expect(error.hint).toMatch(/--api-base/);
  });
});

describe("api client: retries", () => {
  it("429 with Retry-After: 1 waits about a second, then succeeds", async () => {
    const server = await serve((_req, res, n) => {
      if (n === 0) sendJson(res, 429, { error: { code: "rate_limited", message: "slow down" } }, { "retry-after": "1" });
      else sendJson(res, 200, { data: [] });
    });
    const started = Date.now();
    await expect(client(server.base).listEndpoints()).resolves.toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests).toHaveLength(2);
  });

  it("429 is retried on POST too (the server refused it before doing anything)", async () => {
    const server = await serve((_req, res, n) => {
      if (n === 0) sendJson(res, 429, { error: { code: "rate_limited", message: "slow down" } }, { "retry-after": "0" });
      else sendJson(res, 201, ENDPOINT);
    });
    await expect(client(server.base).createEndpoint({ url: "https://x", events: ["a"] })).resolves.toEqual(ENDPOINT);
    expect(server.requests).toHaveLength(2);
  });

  it("429 with a Retry-After longer than the cap fails at once, saying how long to wait", async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 429, { error: { code: "rate_limited", message: "slow down" } }, { "retry-after": "120" }),
    );
    const started = Date.now();
    const error = await failureOf(client(server.base).listEndpoints());
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.message).toBe("rate limited by the API (429 rate_limited: slow down)");
    expect(error.hint).toBe("wait 120 s and try again");
    expect(server.requests).toHaveLength(1);
  });

  it("429 every time → gives up after maxRetries", async () => {
    const server = await serve((_req, res) => sendJson(res, 429, { error: { code: "rate_limited", message: "no" } }));
    const error = await failureOf(client(server.base, { maxRetries: 2 }).listEndpoints());
    expect(error.message).toBe("rate limited by the API after 2 retries (429 rate_limited: no)");
    expect(server.requests).toHaveLength(3);
  });

  it("5xx then 200 on GET is retried", async () => {
    const server = await serve((_req, res, n) => {
      if (n < 2) sendJson(res, 503, { error: { code: "unavailable", message: "deploying" } });
      else sendJson(res, 200, ENDPOINT);
    });
    await expect(client(server.base).getEndpoint("we_1")).resolves.toEqual(ENDPOINT);
    expect(server.requests).toHaveLength(3);
  });

  it("5xx on POST is not retried (it may have been applied)", async () => {
    const server = await serve((_req, res, n) => {
      if (n === 0) sendJson(res, 500, { error: { code: "internal", message: "boom" } });
      else sendJson(res, 201, ENDPOINT);
    });
    const error = await failureOf(client(server.base).createEndpoint({ url: "https://x", events: ["a"] }));
    expect(error.message).toBe("the API failed (500 internal: boom)");
    expect(error.status).toBe(500);
    expect(server.requests).toHaveLength(1);
  });

  it("5xx on every GET → the error says how many retries were made", async () => {
    const server = await serve((_req, res) => sendJson(res, 502, {}));
    const error = await failureOf(client(server.base, { maxRetries: 3 }).listEndpoints());
    expect(error.message).toBe("the API failed after 3 retries (502 http_502)");
    expect(server.requests).toHaveLength(4);
  });

  it("a dropped connection is retried on GET", async () => {
    const server = await serve((req, res, n) => {
      if (n === 0) req.socket.destroy();
      else sendJson(res, 200, { data: [ENDPOINT] });
    });
    await expect(client(server.base).listEndpoints()).resolves.toEqual([ENDPOINT]);
    expect(server.requests).toHaveLength(2);
  });

  it("a connection dropped every time → a clear error after the retries", async () => {
    const server = await serve((req) => req.socket.destroy());
    const error = await failureOf(client(server.base, { maxRetries: 2 }).listEndpoints());
    expect(error.message).toBe(`cannot reach ${server.base} (connection reset, after 2 retries)`);
    expect(server.requests).toHaveLength(3);
  });

  it("a dropped connection on POST is not retried", async () => {
    const server = await serve((req) => req.socket.destroy());
    const error = await failureOf(client(server.base).rotateSecret("we_1"));
    expect(error.code).toBe("network_error");
    expect(server.requests).toHaveLength(1);
  });
});

describe("api client: timeout", () => {
  it("a slow server → timed out after the timeout, not retried", async () => {
    const server = await serve((_req, res) => {
      const timer = setTimeout(() => sendJson(res, 200, { data: [] }), 2_000);
      res.on("close", () => clearTimeout(timer));
    });
    const started = Date.now();
    const error = await failureOf(client(server.base, { timeoutMs: 200 }).listEndpoints());
    const elapsed = Date.now() - started;
    expect(error.message).toBe(`GET ${server.base}/webhooks timed out after 200 ms`);
    expect(error.code).toBe("timeout");
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1500);
    expect(server.requests).toHaveLength(1);
  });

  it("the default timeout is described in seconds", async () => {
    const { timeoutError } = await import("../../src/api/errors.js");
    expect(timeoutError("GET", "https://x/api/webhooks", 30_000).message).toBe("GET https://x/api/webhooks timed out after 30 s");
  });
});

describe("api client: the key stays secret", () => {
  it("log lines carry method, URL, status and duration but never the key, even when the server echoes it", async () => {
    const server = await serve((_req, res, n) => {
      if (n === 0) sendJson(res, 503, { error: { code: "unavailable", message: "busy" } });
      else sendJson(res, 401, { error: { code: "unauthorized", message: `key ${KEY} is revoked` } });
    });
    const lines: string[] = [];
    const error = await failureOf(client(server.base, { log: (l) => lines.push(l) }).listEndpoints());
    expect(lines[0]).toMatch(new RegExp(`^GET ${server.base}/webhooks → 503 \\d+ ms$`));
    expect(lines.some((l) => /retrying in \d+ ms/.test(l))).toBe(true);
    expect(lines.some((l) => / → 401 \d+ ms$/.test(l))).toBe(true);
    expect(lines.join("\n")).not.toContain(KEY);
    expect(error.message).not.toContain(KEY);
    expect(error.message).toContain("sk_test_••••••••1234");
  });
});
