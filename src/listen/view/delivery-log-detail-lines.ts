import type { DeliveryRecord } from "../types.js";
import { clockTime, codeTone, DELIVERY_STATES, formatDuration } from "./delivery-format.js";
import { requestLines, responseLines, type DetailLine } from "./detail-blocks.js";

/**
 * The details of a delivery of the platform's log (`deliveries tail`): its status and next retry,
 * every attempt (answer or error, duration, time), then the request and the latest answer, drawn as
 * listen's pane draws them. Lines unescaped: deliveryDetailLines escapes them all.
 *
 *   draw.consumer.won  whk_01JD…  (endpoint we_123, 2 attempts)
 *   status retrying  next retry 12:01:01
 *   Attempts
 *     #1  12:00:00  500                     3 ms
 *     #2  12:00:01  ERR connection refused  2 ms
 */
export function logDetailLines(record: DeliveryRecord): DetailLine[] {
  const platform = record.platform!;
  const lines: DetailLine[] = [];
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

  lines.push(...requestLines(record.request));
  // The latest attempt's answer; the attempts above already say how each earlier one went.
  if (record.target) {
    lines.push({ text: "" });
    lines.push(...responseLines(record.target, `Response (attempt ${record.attempt})`));
  }
  return lines;
}
