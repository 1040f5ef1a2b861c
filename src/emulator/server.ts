import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isAuthorized } from "./auth.js";
import { HANDLERS, type HandlerDeps } from "./handlers.js";
import { HttpError } from "./http-error.js";
import { matchRoute } from "./router.js";

/** Request bodies larger than this are refused (413): an endpoint or a test event is a few KB. */
export const MAX_BODY_BYTES = 1024 * 1024;

interface ServerOptions extends HandlerDeps {
  apiKeys: readonly string[];
  log?: (line: string) => void;
}

/**
 * The admin API over node:http: routing, Bearer auth, JSON in and out, the contract's error shape.
 * Everything the answer depends on happens in the handlers; this only moves bytes.
 */
export function createApiServer(options: ServerOptions): Server {
  const server = createServer((req, res) => {
    const started = performance.now();
    res.on("finish", () => {
      options.log?.(`${req.method} ${req.url} → ${res.statusCode} ${Math.round(performance.now() - started)} ms`);
    });
    handle(req, res, options).catch((error: unknown) => {
      options.log?.(`!!! ${req.method} ${req.url} failed: ${(error as Error)?.stack ?? String(error)}`);
      if (!res.headersSent) send(res, 500, new HttpError(500, "internal_error", "the emulator failed; see its log").toBody());
      else res.destroy();
    });
  });
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ServerOptions): Promise<void> {
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const method = req.method ?? "GET";
  const match = matchRoute(method, url.pathname);
  try {
    if (match.kind === "not_found" && !url.pathname.startsWith("/api")) {
      throw new HttpError(404, "not_found", `no route ${url.pathname}; the admin API is under /api`);
    }
    if (!isAuthorized(req.headers.authorization, options.apiKeys)) {
      throw new HttpError(401, "unauthorized", "missing or invalid API key (Authorization: Bearer <key>)", undefined, {
        "www-authenticate": 'Bearer realm="fanfare-emulator"',
      });
    }
    if (match.kind === "not_found") throw new HttpError(404, "not_found", `no route ${method} ${url.pathname}`);
    if (match.kind === "method_not_allowed") {
      throw new HttpError(405, "method_not_allowed", `${method} is not allowed here; use ${match.allow.join(", ")}`, undefined, {
        allow: match.allow.join(", "),
      });
    }
    const body = await readJsonBody(req);
    const answer = await HANDLERS[match.name]({ params: match.params, query: url.searchParams, body }, options);
    // Every answer waits for the changes made so far to be on disk (group commit: one fsync for
    // all the requests of a turn), so nothing a client was told is lost to a crash.
    await options.store.durable();
    send(res, answer.status, method === "HEAD" ? undefined : answer.body);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    // An unread body would otherwise be parsed as the next request on a keep-alive connection.
    if (!req.complete) res.setHeader("connection", "close");
    send(res, error.status, method === "HEAD" ? undefined : error.toBody(), error.headers);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** The body parsed as JSON; undefined when empty; 400 when it is not JSON, 413 when too large. */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw tooLarge();
  const text = await readText(req);
  if (text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, "invalid_json", `the request body is not valid JSON (${(error as Error).message})`);
  }
  // Handlers walk what they are given (a test event's data is merged into the sample); a body
  // nested thousands deep would overflow the stack there, so it is refused here.
  if (depthExceeds(value, MAX_JSON_DEPTH)) {
    throw new HttpError(400, "too_deep", `the request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return value;
}

const MAX_JSON_DEPTH = 64;

/**
 * The request's body as text, at most MAX_BODY_BYTES (413 past it). Read with events rather than
 * `for await`: the stream's async iterator was a tenth of the emulator's time per test delivery.
 */
function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        cleanUp();
        // Stop reading: the rest is not wanted (the answer closes the connection).
        req.pause();
        reject(tooLarge());
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanUp();
      resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"));
    };
    const onError = (error: Error) => {
      cleanUp();
      reject(error);
    };
    const cleanUp = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** Whether objects and arrays nest deeper than `limit`, walked without recursion. */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

function tooLarge(): HttpError {
  return new HttpError(413, "payload_too_large", `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
}
