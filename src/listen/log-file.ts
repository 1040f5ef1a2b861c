import { createWriteStream, type WriteStream } from "node:fs";
import { safeJson } from "../terminal/escape.js";
import { deliveryJson } from "./delivery-lines.js";
import type { DeliveryRecord } from "./types.js";

/**
 * One NDJSON line per completed delivery, appended to `--log-file`. Unlike `--json` output it keeps
 * the request headers and the body (text when it is UTF-8, else base64), so the file alone is
 * enough to see or re-send what arrived, however many deliveries the in-memory log has dropped.
 */
export function logFileLine(record: DeliveryRecord): string {
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
