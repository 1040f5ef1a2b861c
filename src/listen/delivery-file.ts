import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DeliveryRecord } from "./types.js";

/**
 * A delivery as an HTTP message, request line, headers and the raw body byte for byte: what the live
 * view's `w` writes, so a delivery can be read in full, diffed, or sent again with `curl --data-binary`.
 */
export function deliveryFileBytes(record: DeliveryRecord): Buffer {
  const { method, path, headers, body } = record.request;
  const head = [`${method} ${path} HTTP/1.1`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)].join("\r\n");
  return Buffer.concat([Buffer.from(head + "\r\n\r\n", "utf8"), body]);
}

/**
 * A file name from the delivery id: only letters, digits, `_` and `-` survive (the id comes from
 * whoever sent the delivery, so it must not pick a path), `delivery-<id>.http`.
 */
export function deliveryFileName(record: Pick<DeliveryRecord, "id" | "seq">, n = 1): string {
  const id = record.id.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 64) || `seq${record.seq}`;
  return `delivery-${id}${n > 1 ? `-${n}` : ""}.http`;
}

/**
 * Writes the delivery into `dir` under a name not yet taken (never over an existing file) and
 * resolves to the path written, as given (relative to `dir`).
 */
export async function writeDeliveryFile(record: DeliveryRecord, dir = "."): Promise<string> {
  const bytes = deliveryFileBytes(record);
  for (let n = 1; ; n++) {
    const path = join(dir, deliveryFileName(record, n));
    try {
      await writeFile(path, bytes, { flag: "wx", mode: 0o600 });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || n >= 1000) throw error;
    }
  }
}
