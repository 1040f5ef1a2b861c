import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient, flattenHeaders, type HttpClient } from "../../src/http/client.js";
import { describeNetworkError } from "../../src/http/errors.js";
import { InvalidHeaderError } from "../../src/http/header-rules.js";

let server: Server;
let base: string;
let respond: (req: IncomingMessage, res: ServerResponse) => void;
const remotePorts: number[] = [];
let client: HttpClient | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    remotePorts.push(req.socket.remotePort!);
    req.resume();
    req.on("end", () => respond(req, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
afterEach(async () => {
  await client?.destroy();
  client = undefined;
  remotePorts.length = 0;
});

const failureOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return describeNetworkError(error);
  }
  throw new Error("expected the request to fail");
};

describe("createHttpClient", () => {
  it("posts the body with the headers and returns status, headers and body", async () => {
    let seen: { method?: string; path?: string; header?: string | string[] } = {};
    respond = (req, res) => {
      seen = { method: req.method, path: req.url, header: req.headers["x-test"] };
      res.writeHead(201, { "content-type": "text/plain", "set-cookie": ["a=1", "b=2"] }).end("made");
    };
    client = createHttpClient();
    const answer = await client.request(new URL(`${base}/hook?x=1`), { headers: { "x-test": "yes" }, body: "{}" });
    expect(seen).toEqual({ method: "POST", path: "/hook?x=1", header: "yes" });
    expect(answer).toMatchObject({ status: 201, truncated: false });
    expect(answer.body.toString()).toBe("made");
    expect(flattenHeaders(answer.headers)).toMatchObject({ "content-type": "text/plain", "set-cookie": "a=1, b=2" });
  });

  it("keeps only keepBytes of a long answer, reads the rest, and reuses the socket", async () => {
    respond = (_req, res) => res.end("x".repeat(100_000));
    client = createHttpClient();
    const url = new URL(`${base}/`);
    const first = await client.request(url, { headers: {}, keepBytes: 10 });
    const second = await client.request(url, { headers: {}, keepBytes: 10 });
    expect(first.body.toString()).toBe("x".repeat(10));
    expect(first.truncated).toBe(true);
    expect(second.body.length).toBe(10);
    expect(new Set(remotePorts).size).toBe(1);
  });

  it("fails an answer over maxBytes as too large", async () => {
    respond = (_req, res) => res.end("x".repeat(100_000));
    client = createHttpClient();
    expect(await failureOf(client.request(`${base}/`, { headers: {}, maxBytes: 1000 }))).toEqual({
      cause: "too_large",
      message: "response too large",
    });
  });

  it("fails a request that outlives its deadline, wording the deadline", async () => {
    respond = (_req, res) => setTimeout(() => res.end("late"), 2_000).unref();
    client = createHttpClient();
    const started = performance.now();
    const problem = await failureOf(client.request(`${base}/`, { headers: {}, deadlineMs: 150 }));
    expect(problem).toEqual({ cause: "timeout", message: "timed out after 150 ms" });
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it("stops a request still queued for a socket when its deadline passes", async () => {
    respond = () => {}; // holds the only connection
    client = createHttpClient({ connections: 1 });
    void client.request(`${base}/`, { headers: {} }).catch(() => {});
    const problem = await failureOf(client.request(`${base}/`, { headers: {}, deadlineMs: 100 }));
    expect(problem.cause).toBe("timeout");
  });

  it("times out on headers after timeoutMs without a deadline", async () => {
    respond = () => {};
    client = createHttpClient({ timeoutMs: 150 });
    expect(await failureOf(client.request(`${base}/`, { headers: {} }))).toMatchObject({ cause: "timeout" });
  });

  it("says connection refused when nothing listens", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    client = createHttpClient();
    expect(await failureOf(client.request(`http://127.0.0.1:${port}/`, { headers: {} }))).toEqual({
      cause: "connection_refused",
      message: "connection refused",
    });
  });

  it("says connection reset when the server drops the socket", async () => {
    respond = (req) => req.socket.destroy();
    client = createHttpClient();
    expect(await failureOf(client.request(`${base}/`, { headers: {} }))).toEqual({
      cause: "connection_reset",
      message: "connection reset",
    });
  });

  it("says TLS when https meets a plain HTTP port", async () => {
    respond = (_req, res) => res.end();
    client = createHttpClient();
    expect(await failureOf(client.request(base.replace("http:", "https:") + "/", { headers: {} }))).toMatchObject({ cause: "tls" });
  });

  it("fails requests in flight on destroy() and refuses new ones after", async () => {
    respond = () => {};
    client = createHttpClient();
    const pending = client.request(`${base}/`, { headers: {} });
    await new Promise((r) => setTimeout(r, 50));
    await client.destroy();
    await expect(pending).rejects.toThrow();
    await expect(client.request(`${base}/`, { headers: {} })).rejects.toThrow(/closed/);
  });

  describe("a header undici would refuse", () => {
    /** Settles with the promise, or fails the test after `ms` instead of letting it hang. */
    const within = <T>(promise: Promise<T>, ms: number) =>
      Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms))]);

    it.each([
      ["a code point above U+00FF", "order.東京", "invalid X-Fanfare-Event-Type header value (not sendable over HTTP: U+6771)"],
      ["an escape character", "evil\x1b[31m", "invalid X-Fanfare-Event-Type header value (not sendable over HTTP: U+001B)"],
      ["DEL", "a\x7fb", "invalid X-Fanfare-Event-Type header value (not sendable over HTTP: U+007F)"],
      ["an emoji (a surrogate pair, one code point)", "party🎉", "invalid X-Fanfare-Event-Type header value (not sendable over HTTP: U+1F389)"],
    ])("rejects %s without sending, and the next request on the pool still gets its answer", async (_name, value, words) => {
      respond = (_req, res) => res.end("ok");
      client = createHttpClient({ connections: 1 });
      const url = new URL(`${base}/`);
      expect((await within(client.request(url, { headers: { "x-a": "fine" } }), 10_000)).status).toBe(200);
      const refused = client.request(url, { headers: { "X-Fanfare-Event-Type": value } });
      await expect(within(refused, 10_000)).rejects.toBeInstanceOf(InvalidHeaderError);
      expect(await failureOf(refused)).toEqual({ cause: "invalid_header", message: words });
      // Before the check, undici's pool waited forever for a drain here.
      expect((await within(client.request(url, { headers: { "x-a": "fine" } }), 10_000)).status).toBe(200);
      expect(remotePorts).toHaveLength(2);
    });

    it("rejects a name that is not a token, without showing it", async () => {
      respond = (_req, res) => res.end("ok");
      client = createHttpClient({ connections: 1 });
      const refused = client.request(`${base}/`, { headers: { "bad name\x1b": "v" } });
      expect(await failureOf(refused)).toEqual({ cause: "invalid_header", message: "invalid header name (not sendable over HTTP: U+0020)" });
      expect((await within(client.request(`${base}/`, { headers: {} }), 10_000)).status).toBe(200);
    });

    it("a request undici itself refuses (expect, transfer-encoding) retires its pool: the next request still gets its answer", async () => {
      respond = (_req, res) => res.end("ok");
      client = createHttpClient({ connections: 1 });
      const url = new URL(`${base}/`);
      for (const headers of [{ expect: "100-continue" }, { "Transfer-Encoding": "chunked" }] as Array<Record<string, string>>) {
        expect((await within(client.request(url, { headers: {} }), 10_000)).status).toBe(200);
        await expect(within(client.request(url, { headers }), 10_000)).rejects.toMatchObject({ code: expect.stringMatching(/^UND_ERR_/) });
        expect((await within(client.request(url, { headers: {} }), 10_000)).status).toBe(200);
      }
    });

    it("requests queued behind a refused one settle (they fail with the retired pool) instead of hanging, and close() returns", async () => {
      respond = (_req, res) => setTimeout(() => res.end("ok"), 200);
      client = createHttpClient({ connections: 1 });
      const url = new URL(`${base}/`);
      const first = client.request(url, { headers: {} });
      const refused = client.request(url, { headers: { expect: "100-continue" } });
      const queued = [client.request(url, { headers: {} }), client.request(url, { headers: {} })];
      // What matters is that every one settles (within the bound): on the retired pool, a request in
      // flight or queued fails with it (each sender reports that), rather than hang the run.
      const settled = await within(Promise.allSettled([first, refused, ...queued]), 10_000);
      expect(settled[1]).toMatchObject({ status: "rejected", reason: { code: expect.stringMatching(/^UND_ERR_/) } });
      expect((await within(client.request(url, { headers: {} }), 10_000)).status).toBe(200);
      await within(client.close(), 10_000);
    });

    it("sends what undici accepts: tab, Latin-1 text and an empty value", async () => {
      let seen: string | string[] | undefined;
      respond = (req, res) => {
        seen = req.headers["x-a"];
        res.end("ok");
      };
      client = createHttpClient();
      expect((await client.request(`${base}/`, { headers: { "x-a": "caf\u00e9\tok", "x-b": "" } })).status).toBe(200);
      expect(seen).toBe("caf\u00e9\tok");
    });
  });
});
