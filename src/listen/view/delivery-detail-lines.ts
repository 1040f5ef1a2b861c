import { escapeControl } from "../../terminal/escape.js";
import type { DeliveryRecord } from "../types.js";
import { logDetailLines } from "./delivery-log-detail-lines.js";
import { clockTime, signatureMark, targetResults } from "./delivery-format.js";
import { requestLines, responseLines, type DetailLine } from "./detail-blocks.js";

/**
 * The text of the details pane, as plain lines with a tone each, so the pane only windows and
 * colours them and the content is testable without a terminal. A listen delivery and a delivery of
 * the platform's log (delivery-log-detail-lines.ts) differ in their heading; their request and
 * answers are the same blocks (detail-blocks.ts).
 */

/**
 * Lines folded to the pane's width, so long values (tokens, signatures, URLs) can be read whole
 * rather than cut with `…`. A continuation keeps the line's indent plus two, while that leaves room.
 */
export function wrapDetailLines(lines: readonly DetailLine[], width: number): DetailLine[] {
  const max = Math.max(10, Math.floor(width));
  const out: DetailLine[] = [];
  for (const line of lines) {
    const chars = Array.from(line.text);
    if (chars.length <= max) {
      out.push(line);
      continue;
    }
    const lead = /^ */.exec(line.text)![0].length + 2;
    const pad = lead <= max / 2 ? " ".repeat(lead) : "";
    out.push({ ...line, text: chars.slice(0, max).join("") });
    for (let at = max; at < chars.length; at += max - pad.length) {
      out.push({ ...line, text: pad + chars.slice(at, at + max - pad.length).join("") });
    }
  }
  return out;
}

/**
 * The details pane of one delivery, every line escaped: headers, ids and bodies come from whoever
 * sent the delivery, and must not drive the terminal.
 */
export function deliveryDetailLines(record: DeliveryRecord): DetailLine[] {
  return detailLines(record).map((line) => ({ ...line, text: escapeControl(line.text) }));
}

function detailLines(record: DeliveryRecord): DetailLine[] {
  if (record.platform) return logDetailLines(record);
  const lines: DetailLine[] = [];
  const notes = [`#${record.seq}`, `attempt ${record.attempt}`];
  if (record.replayOf !== null) notes.push(`replay of #${record.replayOf}`);
  lines.push({ text: `${record.eventType}  ${record.id}  (${notes.join(", ")})`, tone: "heading" });
  const sig =
    record.signature === "valid"
      ? "valid"
      : record.signature + (record.signatureReason ? `: ${record.signatureReason}` : "");
  lines.push({
    text: `received ${clockTime(record.receivedAt)}  signature ${signatureMark(record.signature)} ${sig}`,
    tone: record.signature === "valid" ? "dim" : "error",
  });
  lines.push({ text: "" });

  lines.push(...requestLines(record.request));
  lines.push({ text: "" });

  if (record.target === null) {
    lines.push({ text: "Response  … forwarding", tone: "pending" });
    return lines;
  }
  const targets = targetResults(record);
  if (targets.length === 0) {
    lines.push({ text: `Response  ${record.target.error ?? "not forwarded"}`, tone: "error" });
    return lines;
  }
  // With several targets, each one's answer in --forward order, under a heading of its own.
  targets.forEach((target, i) => {
    if (i > 0) lines.push({ text: "" });
    lines.push(...responseLines(target, targets.length > 1 ? `Response ${i + 1}/${targets.length}` : "Response"));
  });
  return lines;
}
