import { createWriteStream, type WriteStream } from "node:fs";
import { safeJson } from "../terminal/escape.js";
import { deliveryJson } from "./delivery-lines.js";
import type { DeliveryRecord } from "./types.js";

/**
 * One NDJSON line per completed delivery, appended to `--log-file`. Unlike `--json` output it keeps
 * the request headers and the body (text when it is UTF-8, else base64), so the file alone is
 * enough to see or re-send what arrived, however many deliveries the in-memory log has dropped.
 */
function logFileLine(record: DeliveryRecord): string {
  const body = record.request.body;
  const text = body.toString("utf8");
  const exact = Buffer.byteLength(text) === body.length && !text.includes("\uFFFD");
  // Escaped like every output: the file is a log that people `cat` and `tail -f`.
  return (
    safeJson({
      ...deliveryJson(record),
      headers: record.request.headers,
      ...(exact ? { body: text } : { bodyBase64: body.toString("base64") }),
      response: record.target ? { headers: record.target.responseHeaders, body: record.target.responseBody } : null,
    }) + "\n"
  );
}

export class DeliveryLogFile {
  private readonly stream: WriteStream;
  private failure: Error | null = null;

  private constructor(readonly path: string) {
    // A write stream buffers and appends in order without blocking the forwarder on disk.
    this.stream = createWriteStream(path, { flags: "a", mode: 0o600 });
    this.stream.on("error", (error) => (this.failure = error));
  }

  /** Opens (creating or appending to) the file; rejects when it cannot be opened. */
  static open(path: string): Promise<DeliveryLogFile> {
    const file = new DeliveryLogFile(path);
    return new Promise((resolve, reject) => {
      file.stream.once("open", () => resolve(file));
      file.stream.once("error", reject);
    });
  }

  /** The first write error, if any (the session carries on without the file). */
  get error(): Error | null {
    return this.failure;
  }

  write(record: DeliveryRecord): void {
    if (this.failure) return;
    this.stream.write(logFileLine(record));
  }

  /** Flushes what is buffered and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stream.destroyed || this.stream.closed) return resolve();
      this.stream.end(() => resolve());
      this.stream.once("error", () => resolve());
    });
  }
}

/** How much of the end of a log file is read for its last deliveries: plenty for 100 lines. */
const TAIL_BYTES = 8 * 1024 * 1024;

/**
 * The last `limit` deliveries of a `--log-file`, newest first, as they were written (lines cut by the
 * read window, or torn by a crash, are skipped). For `fanfare mcp`'s list_deliveries.
 */
export async function readLastDeliveries(path: string, limit: number): Promise<Array<Record<string, unknown>>> {
  const { open } = await import("node:fs/promises");
  const file = await open(path, "r");
  let text: string;
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await file.read(buffer, 0, buffer.length, start);
    text = buffer.toString("utf8");
    // The first line of a window that starts mid-file is a fragment.
    if (start > 0) text = text.slice(text.indexOf("\n") + 1);
  } finally {
    await file.close();
  }
  const records: Array<Record<string, unknown>> = [];
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0 && records.length < limit; i--) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value !== null && typeof value === "object" && !Array.isArray(value)) records.push(value as Record<string, unknown>);
    } catch {
      // A torn line: skipped.
    }
  }
  return records;
}
