import type { DeliveryRecord } from "../types.js";
import { clockTime, codeTone, DELIVERY_STATES, formatBytes, formatDuration, statusTone, type StatusTone } from "./delivery-format.js";

/**
 * The details of a delivery of the platform's log (`deliveries tail`): its status and next retry,
 * every attempt (answer or error, duration, time), then the request and the latest answer. Lines
 * unescaped: deliveryDetailLines escapes them all.
 *
 *   draw.consumer.won  whk_01JD…  (endpoint we_123, 2 attempts)
 *   status retrying  next retry 12:01:01
 *   Attempts
 *     #1  12:00:00  500                     3 ms
 *     #2  12:00:01  ERR connection refused  2 ms
 */
/** A line of the pane (the same shape as delivery-detail-lines.ts's DetailLine, which uses this). */
export interface LogDetailLine {
  readonly text: string;
  readonly tone?: "heading" | "label" | "dim" | StatusTone;
}

export function logDetailLines(record: DeliveryRecord, body: (b: Buffer | string) => string[]): LogDetailLine[] {
  const platform = record.platform!;
  const lines: LogDetailLine[] = [];
  const count = platform.attempts.length;
  lines.push({
    text: `${record.eventType}  ${record.id}  (endpoint ${platform.endpointId}, ${count} attempt${count === 1 ? "" : "s"})`,
    tone: "heading",
  });
  const next = platform.nextAttemptAt ? `  next retry ${clockTime(Date.parse(platform.nextAttemptAt))}` : "";
  lines.push({ text: `status ${platform.status.replace("_", " ")}${next}`, tone: DELIVERY_STATES[platform.status].tone });
  lines.push({ text: "" });

  lines.push({ text: "Attempts", tone: "heading" });
  if (count === 0) lines.push({ text: "  none yet", tone: "pending" });
  for (const attempt of platform.attempts) {
    const answer = attempt.statusCode === null ? `ERR ${attempt.error ?? "no answer"}` : String(attempt.statusCode);
    const tone = codeTone(attempt.statusCode);
    lines.push({
      text: `  #${attempt.attempt}  ${clockTime(Date.parse(attempt.startedAt))}  ${answer}  ${formatDuration(attempt.durationMs)}`,
      tone,
    });
  }
  lines.push({ text: "" });

  const { request } = record;
  lines.push({ text: `Request  POST ${request.path}  (${formatBytes(request.body.length)})`, tone: "heading" });
  const headers = Object.entries(request.headers);
  if (headers.length === 0) lines.push({ text: "  (none)", tone: "dim" });
  for (const [name, value] of headers) lines.push({ text: `  ${name}: ${value}` });
  lines.push({ text: "" });
  lines.push({ text: "Request body", tone: "label" });
  for (const line of body(request.body)) lines.push({ text: "  " + line });

  const target = record.target;
  if (target && target.statusCode !== null) {
    lines.push({ text: "" });
    lines.push({ text: `Response (attempt ${record.attempt})  ${target.statusCode}  ${formatDuration(target.durationMs)}`, tone: statusTone(target) });
    for (const [name, value] of Object.entries(target.responseHeaders)) lines.push({ text: `  ${name}: ${value}` });
    lines.push({ text: "" });
    lines.push({ text: "Response body", tone: "label" });
    for (const line of body(target.responseBody)) lines.push({ text: "  " + line });
  }
  return lines;
}
