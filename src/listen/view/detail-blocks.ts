import type { DeliveryRecord, ForwardResult } from "../types.js";
import { formatBytes, formatDuration, statusLabel, statusTone, type StatusTone } from "./delivery-format.js";

/**
 * The blocks both details panes are made of (listen's and `deliveries tail`'s): a request, an answer,
 * their headers and bodies. One way to draw them, so the two panes read alike. Lines are unescaped:
 * deliveryDetailLines escapes every line of either pane, and the pane wraps them to its width.
 *
 *   Request  POST /webhooks  (512 B)
 *     content-type: application/json
 *
 *   Request body
 *     {
 *       "id": "whk_01JD…"
 *     }
 */

type DetailTone = "heading" | "label" | "dim" | StatusTone;

export interface DetailLine {
  readonly text: string;
  readonly tone?: DetailTone;
}

/** Past this a body is cut: a person scrolls a sample, and Ink measures every line it draws. */
const MAX_BODY_LINES = 2000;
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

const indent = (lines: string[]): DetailLine[] => lines.map((text) => ({ text: "  " + text }));

/** What was sent: method, path and size, the headers, then the body. */
export function requestLines(request: DeliveryRecord["request"]): DetailLine[] {
  return [
    { text: `Request  ${request.method} ${request.path}  (${formatBytes(request.body.length)})`, tone: "heading" },
    ...headerLines(request.headers),
    { text: "" },
    { text: "Request body", tone: "label" },
    ...indent(bodyLines(request.body)),
  ];
}

/** One answer under `heading`: status (or why there was none), duration and who answered, headers, body. */
export function responseLines(target: ForwardResult, heading: string): DetailLine[] {
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
