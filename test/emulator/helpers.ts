import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ContractChecker } from "../contract/openapi.js";

export { waitUntil } from "../helpers/wait.js";
export { freePort } from "../listen/servers.js";

export interface Received {
  headers: IncomingHttpHeaders;
  /** The raw bytes as they arrived. */
  body: Buffer;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** What the next request gets; a function of the request number (0-based). */
  answer: (n: number) => { status: number; delayMs?: number; body?: string; heldUntil?: Promise<unknown> } | "hang";
  close: () => Promise<void>;
}

/** A webhook receiver on loopback that records each delivery byte for byte and answers as told. */
export async function startReceiver(answer: Receiver["answer"] = () => ({ status: 200 })): Promise<Receiver> {
  const receiver: Receiver = { url: "", received: [], answer, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const n = receiver.received.length;
      receiver.received.push({ headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
      const a = receiver.answer(n);
      if (a === "hang") return;
      void (a.heldUntil ?? Promise.resolve()).then(() =>
        setTimeout(() => {
          res.writeHead(a.status, { "content-type": "application/json" });
          res.end(a.body ?? JSON.stringify({ n, status: a.status }));
        }, a.delayMs ?? 0),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}/hooks`;
  receiver.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return receiver;
}

/** Answers `statuses[n]`, then the last one for ever. */
export function sequence(...statuses: number[]): Receiver["answer"] {
  return (n) => ({ status: statuses[Math.min(n, statuses.length - 1)]! });
}

export interface Api {
  (method: string, path: string, body?: unknown, key?: string | null): Promise<{ status: number; headers: Headers; body: any }>;
}

const contract = new ContractChecker();

/**
 * Raw HTTP against the emulator (fetch), to check the contract's status codes and shapes. Every
 * answer is also held against docs/admin-api.openapi.yaml (requests are not: tests send wrong ones
 * on purpose); a difference fails the test that got the answer.
 */
export function apiFor(base: string, apiKey: string): Api {
  return async (method, path, body, key = apiKey) => {
    const headers: Record<string, string> = {};
    if (key !== null) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const answer = { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    const answerHeaders = Object.fromEntries(res.headers.entries());
    const problems = contract.checkResponse({ method, url: base + path, status: answer.status, responseBody: answer.body, responseHeaders: answerHeaders });
    if (problems.length > 0) throw new Error(`the answer differs from docs/admin-api.openapi.yaml:\n${problems.join("\n")}`);
    return answer;
  };
}


export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
