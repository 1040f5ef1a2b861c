/**
 * How endpoints and deliveries look in the terminal. Pure: data in, lines out; colour comes from the
 * Style passed in (colourless when Output decided so). Every value the API gave is escaped (`e`)
 * before it is placed: an endpoint's URL or description, or a delivery's headers and bodies, come
 * from outside and must not drive the terminal.
 */
import { maskSecret } from "../config/mask.js";
import { escapeControl as e } from "../terminal/escape.js";
import { stripAnsi } from "../terminal/style.js";
import type { Delivery, DeliveryAttempt, Endpoint, EndpointHealth } from "./types.js";

type Paint = (text: string) => string;
interface Painter {
  dim: Paint;
  bold: Paint;
  green: Paint;
  yellow: Paint;
  red: Paint;
}

export const PLAIN: Painter = { dim: id, bold: id, green: id, yellow: id, red: id };
function id(text: string) {
  return text;
}

export function visibleWidth(text: string): number {
  return [...stripAnsi(text)].length;
}

function padEnd(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - visibleWidth(text)));
}

/** Widest a table cell is drawn; a longer value ends with `…` (`--json` and `get` show it whole). */
export const MAX_CELL = 60;

/**
 * A cell cut to MAX_CELL: a table is never built from unbounded data (a 1 MB URL padded across every
 * row would not fit in a string). Our own styled cells (status colours) are short and left alone.
 */
function fitCell(cell: string): string {
  if (cell.length <= MAX_CELL || cell.includes("\u001b")) return cell;
  const chars = Array.from(cell.slice(0, MAX_CELL * 2));
  return chars.length <= MAX_CELL ? chars.join("") : chars.slice(0, MAX_CELL - 1).join("") + "…";
}

/** Columns separated by two spaces, the header dimmed; the last column is not padded. */
export function renderTable(headers: string[], allRows: string[][], paint: Painter = PLAIN): string[] {
  const rows = allRows.map((row) => row.map(fitCell));
  const widths = headers.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : padEnd(cell, widths[i]!)))
      .join("  ")
      .trimEnd();
  return [paint.dim(line(headers)), ...rows.map(line)];
}

/** Label/value lines with the labels aligned. */
export function renderFields(fields: Array<[label: string, value: string]>, paint: Painter = PLAIN): string[] {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${paint.dim(label.padEnd(width))}  ${value}`);
}

/** `2026-11-23T07:06:48.123Z` → `2026-11-23 07:06:48` (UTC, as the API gives it). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : e(iso);
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** A secret as it may be shown outside create/rotate: masked unless the server masked it already. */
function maskedSecret(secret: string | null | undefined): string {
  if (!secret) return "";
  if (/[•*]/.test(secret)) return secret;
  return maskSecret(secret);
}

export function maskEndpoint(endpoint: Endpoint): Endpoint {
  return { ...endpoint, secret: maskedSecret(endpoint.secret) };
}

function endpointState(endpoint: Endpoint, paint: Painter = PLAIN): string {
  return endpoint.enabled ? paint.green("enabled") : paint.yellow("paused");
}

function eventsSummary(events: string[], max = 2): string {
  if (events.length <= max) return e(events.join(", "));
  return `${e(events.slice(0, max).join(", "))} +${events.length - max}`;
}

export function endpointTable(endpoints: Endpoint[], paint: Painter = PLAIN): string[] {
  return renderTable(
    ["ID", "STATUS", "URL", "EVENTS", "DESCRIPTION"],
    endpoints.map((ep) => [e(ep.id), endpointState(ep, paint), e(ep.url), eventsSummary(ep.events), e(ep.description ?? "")]),
    paint,
  );
}

/** Every field of one endpoint; the secret masked unless `revealSecret` (create only). */
export function endpointDetail(endpoint: Endpoint, paint: Painter = PLAIN, revealSecret = false): string[] {
  return renderFields(
    [
      ["id", e(endpoint.id)],
      ["url", e(endpoint.url)],
      ["status", endpointState(endpoint, paint)],
      ["events", e(endpoint.events.join(", "))],
      ["description", e(endpoint.description ?? "—")],
      ["secret", e(revealSecret ? endpoint.secret : maskedSecret(endpoint.secret))],
      ["scheme", e(endpoint.scheme ?? "v1")],
      ["created", formatTime(endpoint.createdAt)],
      ["updated", formatTime(endpoint.updatedAt)],
    ],
    paint,
  );
}

export function statusCodeText(code: number | null | undefined, error: string | null | undefined, paint: Painter = PLAIN): string {
  if (code === null || code === undefined) return error ? paint.red(e(error)) : "—";
  const text = String(code);
  if (code >= 200 && code < 300) return paint.green(text);
  if (code >= 400 && code < 500) return paint.yellow(text);
  return paint.red(text);
}

/**
 * What the attempt just started (a test, a redelivery) got: "no answer yet" while it is in flight,
 * since a pending delivery's answer fields still show the attempt before it.
 */
export function attemptAnswerText(delivery: Delivery, paint: Painter = PLAIN): string {
  return delivery.status === "pending" ? "no answer yet" : statusCodeText(delivery.response?.statusCode, delivery.error, paint);
}

export function deliveryStatusText(status: Delivery["status"], paint: Painter = PLAIN): string {
  switch (status) {
    case "succeeded":
      return paint.green(status);
    case "pending":
    case "retrying":
      return paint.yellow(status);
    default:
      return paint.red(status);
  }
}

export function deliveryTable(deliveries: Delivery[], paint: Painter = PLAIN): string[] {
  return renderTable(
    ["ID", "EVENT", "STATUS", "ATTEMPTS", "LAST", "CREATED"],
    deliveries.map((d) => [
      e(d.id),
      e(d.eventType),
      deliveryStatusText(d.status, paint),
      String(d.attempt),
      statusCodeText(d.response?.statusCode, d.error, paint),
      formatTime(d.createdAt),
    ]),
    paint,
  );
}

/** A JSON body indented for reading; anything else as it came. */
function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export function attemptsTable(attempts: DeliveryAttempt[], paint: Painter = PLAIN): string[] {
  return renderTable(
    ["ATTEMPT", "TIME", "RESULT", "DURATION"],
    attempts.map((a) => [
      String(a.attempt),
      formatTime(a.startedAt),
      a.statusCode === null ? paint.red(e(a.error ?? "no answer")) : statusCodeText(a.statusCode, a.error, paint),
      formatDuration(a.durationMs),
    ]),
    paint,
  );
}

/** The request (headers, pretty body), the latest response and every attempt of one delivery. */
export function deliveryDetail(delivery: Delivery, paint: Painter = PLAIN): string[] {
  const lines = renderFields(
    [
      ["id", e(delivery.id)],
      ["endpoint", e(delivery.endpointId)],
      ["event", e(delivery.eventType)],
      ["status", deliveryStatusText(delivery.status, paint)],
      ["attempts", String(delivery.attempt)],
      ["created", formatTime(delivery.createdAt)],
      ["updated", formatTime(delivery.updatedAt)],
      ["next attempt", formatTime(delivery.nextAttemptAt)],
    ],
    paint,
  );
  lines.push("", paint.bold(`Request  POST ${e(delivery.request.url)}`));
  for (const [name, value] of Object.entries(delivery.request.headers)) lines.push(`${paint.dim(e(name) + ":")} ${e(value)}`);
  lines.push("", ...prettyBody(delivery.request.body).split("\n").map((line) => e(line)));

  lines.push("", paint.bold("Response"));
  if (!delivery.response || (delivery.response.statusCode === null && !delivery.response.body)) {
    lines.push(delivery.error ? paint.red(e(delivery.error)) : paint.dim("no answer yet"));
  } else {
    lines.push(`status ${statusCodeText(delivery.response.statusCode, delivery.error, paint)}`);
    if (delivery.response.body) lines.push(...prettyBody(delivery.response.body).split("\n").map((line) => e(line)));
  }

  lines.push("", paint.bold("Attempts"));
  if (delivery.attempts.length === 0) lines.push(paint.dim("none yet"));
  else lines.push(...attemptsTable(delivery.attempts, paint));
  return lines;
}

export function healthDetail(endpointId: string, health: EndpointHealth, paint: Painter = PLAIN): string[] {
  return renderFields(
    [
      ["endpoint", e(endpointId)],
      ["healthy", health.healthy ? paint.green("yes") : paint.red("no")],
      ["success rate", health.successRate === null ? "— (no deliveries)" : `${(health.successRate * 100).toFixed(1)} %`],
      ["last delivery", formatTime(health.lastDelivery)],
    ],
    paint,
  );
}
