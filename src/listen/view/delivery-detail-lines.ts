import { escapeControl } from "../../terminal/escape.js";
import type { DeliveryRecord, ForwardResult } from "../types.js";
import { logDetailLines } from "./delivery-log-detail-lines.js";
import {
  clockTime,
  formatBytes,
  formatDuration,
  signatureMark,
  statusLabel,
  statusTone,
  targetResults,
  type StatusTone,
} from "./delivery-format.js";

/**
 * The text of the details pane, as plain lines with a tone each, so the pane only windows and
 * colours them and the content is testable without a terminal.
 */

export type DetailTone = "heading" | "label" | "dim" | StatusTone;

export interface DetailLine {
  readonly text: string;
  readonly tone?: DetailTone;
}

/** Past this a body is cut: a person scrolls a sample, and Ink measures every line it draws. */
export const MAX_BODY_LINES = 2000;
/** A single value longer than this (a huge token) is cut; anything shorter is shown whole, wrapped. */
const MAX_LINE_CHARS = 20_000;

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * A body as a person wants to read it: pretty JSON, else the text itself, else (binary or not UTF-8)
 * only its size.
 */
export function bodyLines(body: Buffer | string, maxLines = MAX_BODY_LINES): string[] {
  const size = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  if (size === 0) return ["(empty)"];
  let text: string;
  if (typeof body === "string") text = body;
  else {
    try {
      text = decoder.decode(body);
    } catch {
      return [`(binary, ${formatBytes(size)})`];
    }
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text)) return [`(binary, ${formatBytes(size)})`];
  let lines: string[];
  try {
    lines = JSON.stringify(JSON.parse(text), null, 2).split("\n");
  } catch {
    lines = text.replace(/\t/g, "  ").split(/\r?\n/);
  }
  const shown = lines.slice(0, maxLines).map((l) => (l.length > MAX_LINE_CHARS ? l.slice(0, MAX_LINE_CHARS) + "…" : l));
  if (lines.length > maxLines) shown.push(`… ${lines.length - maxLines} more lines (${formatBytes(size)} in all)`);
  return shown;
}

function headerLines(headers: Record<string, string>): DetailLine[] {
  const entries = Object.entries(headers);
  if (entries.length === 0) return [{ text: "  (none)", tone: "dim" }];
  return entries.map(([name, value]) => ({ text: `  ${name}: ${value}` }));
}

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

const indent = (lines: string[]): DetailLine[] => lines.map((text) => ({ text: "  " + text }));

/**
 * The details pane of one delivery, every line escaped: headers, ids and bodies come from whoever
 * sent the delivery, and must not drive the terminal.
 */
export function deliveryDetailLines(record: DeliveryRecord): DetailLine[] {
  return detailLines(record).map((line) => ({ ...line, text: escapeControl(line.text) }));
}

function detailLines(record: DeliveryRecord): DetailLine[] {
  if (record.platform) return logDetailLines(record, (body) => bodyLines(body));
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

  const { request } = record;
  lines.push({
    text: `Request  ${request.method} ${request.path}  (${formatBytes(request.body.length)})`,
    tone: "heading",
  });
  lines.push(...headerLines(request.headers));
  lines.push({ text: "" });
  lines.push({ text: "Request body", tone: "label" });
  lines.push(...indent(bodyLines(request.body)));
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

function responseLines(target: ForwardResult, heading: string): DetailLine[] {
  const lines: DetailLine[] = [];
  const outcome = target.statusCode === null ? `ERR ${target.error ?? "no response"}` : `${statusLabel(target)}`;
  lines.push({
    text: `${heading}  ${outcome}  ${formatDuration(target.durationMs)}  from ${target.url}`,
    tone: statusTone(target),
  });
  if (target.statusCode !== null) {
    lines.push(...headerLines(target.responseHeaders));
    lines.push({ text: "" });
    lines.push({ text: "Response body", tone: "label" });
    lines.push(...indent(bodyLines(target.responseBody)));
  }
  return lines;
}
