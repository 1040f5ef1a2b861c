import type { DeliveryRecord, ForwardResult } from "./types.js";
import {
  clockTime,
  formatDuration,
  signatureProblem,
  statusLabel,
  statusTone,
  type StatusTone,
} from "./view/delivery-format.js";
import { escapeControl } from "../terminal/escape.js";
import { noticeText, type SessionNotice } from "./notices.js";
import { createStyle, type Style } from "../terminal/style.js";

/**
 * What `fanfare webhooks listen` prints when no person is watching (no TTY, `--no-tui`, `--json`):
 * one line per delivery each way, in Stripe's shape, so logs stay greppable.
 *
 *   12:00:01 --> draw.consumer.won [whk_01J…]
 *   12:00:01 <-- [200] POST http://localhost:3000/webhooks [whk_01J…] 4 ms
 *   12:00:02 <-- [ERR] POST http://localhost:3000/webhooks [whk_01K…] connection refused (1 ms)
 *
 * Pure and free of Ink/React: this is the path that must start fast and run in CI.
 */

interface LineOptions {
  /** Only true for a person at a colour terminal; false guarantees no escape codes. */
  color: boolean;
}

const styles = { on: createStyle(true), off: createStyle(false) };

function styleFor(options: LineOptions): Style {
  return options.color ? styles.on : styles.off;
}

function tint(style: Style, tone: StatusTone): Style {
  switch (tone) {
    case "ok":
      return style.green;
    case "warn":
      return style.yellow;
    case "error":
      return style.red;
    case "pending":
      return style.dim;
  }
}

/** Retries and replays are the lines a developer hunts for, so they say so. */
function notes(record: DeliveryRecord): string {
  if (record.attempt <= 1 && record.replayOf === null) return "";
  const parts: string[] = [];
  if (record.attempt > 1) parts.push(`attempt ${record.attempt}`);
  if (record.replayOf !== null) parts.push(`replay of #${record.replayOf}`);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

/** `12:00:01 --> draw.consumer.won [whk_…]` */
export function formatReceivedLine(record: DeliveryRecord, options: LineOptions): string {
  const eventType = escapeControl(record.eventType);
  return `${timeText(record.receivedAt, options)} --> ${options.color ? styles.on.bold(eventType) : eventType} [${escapeControl(record.id)}]${notes(record)}`;
}

/** The line's time, dimmed on a colour terminal; without colour no style function is called at all. */
function timeText(epochMs: number, options: LineOptions): string {
  const time = clockTime(epochMs);
  return options.color ? styles.on.dim(time) : time;
}

/**
 * `12:00:01 <-- [200] POST http://localhost:3000/webhooks [whk_…] 4 ms`; a target that never answered
 * reads `<-- [ERR] … connection refused (3 ms)`. With several targets there is one such line for each
 * (`target` is then the one to describe). A bad signature is flagged at the end: the delivery is
 * still forwarded (the app under test should be the one to reject it), but the developer must see why.
 */
export function formatForwardedLine(record: DeliveryRecord, options: LineOptions, target = record.target): string {
  return forwardedLine(forwardedParts(record, options), target);
}

/**
 * Every `<--` line of a finished delivery: one per target in `targets`, else the one of `target`.
 * What the lines share (time, method, id, the signature flag) is worked out once for all of them.
 */
export function formatForwardedLines(record: DeliveryRecord, options: LineOptions): string[] {
  const parts = forwardedParts(record, options);
  const targets = record.targets;
  if (targets === undefined || targets.length === 0) return [forwardedLine(parts, record.target)];
  const lines: string[] = [];
  for (const target of targets) lines.push(forwardedLine(parts, target));
  return lines;
}

/** What a delivery's `<--` lines have in common. */
interface ForwardedParts {
  s: Style;
  time: string;
  method: string;
  id: string;
  flag: string;
}

function forwardedParts(record: DeliveryRecord, options: LineOptions): ForwardedParts {
  const s = styleFor(options);
  const problem = signatureProblem(record);
  return {
    s,
    time: timeText(record.receivedAt, options),
    method: escapeControl(record.request.method),
    id: escapeControl(record.id),
    flag: problem ? " " + s.red(`✗ ${escapeControl(problem)}`) : "",
  };
}

function forwardedLine(parts: ForwardedParts, target: ForwardResult | null): string {
  const { s } = parts;
  const label = `[${statusLabel(target)}]`;
  const status = s === styles.off ? label : tint(s, statusTone(target))(label);
  const url = target === null ? "(not forwarded yet)" : escapeControl(target.url);
  let outcome: string;
  if (target === null) outcome = "in flight";
  else if (target.statusCode === null)
    outcome = `${s.red(escapeControl(target.error ?? "no response"))} (${formatDuration(target.durationMs)})`;
  else outcome = formatDuration(target.durationMs);
  return `${parts.time} <-- ${status} ${parts.method} ${url} [${parts.id}] ${outcome}${parts.flag}`;
}

/**
 * `12:00:05 !!! app down: http://localhost:3000 (connection refused)`, `12:00:09 ... app back: …`:
 * what the session says about the tunnel and the apps, between the delivery lines.
 */
export function formatNoticeLine(notice: SessionNotice, options: LineOptions): string {
  const s = styleFor(options);
  const bad = notice.kind === "tunnel" ? notice.state === "reconnecting" : notice.state === "down";
  const mark = bad ? s.red("!!!") : s.green("...");
  return `${s.dim(clockTime(notice.at))} ${mark} ${escapeControl(noticeText(notice))}`;
}

/**
 * One NDJSON object per delivery for `listen --json` and `--log-file`. The body is left out (it can be
 * large and binary); its size is kept, and the full record stays replayable from the session.
 */
export function deliveryJson(record: DeliveryRecord): Record<string, unknown> {
  const target = record.target;
  return {
    seq: record.seq,
    id: record.id,
    eventType: record.eventType,
    receivedAt: new Date(record.receivedAt).toISOString(),
    attempt: record.attempt,
    signature: record.signature,
    signatureReason: record.signatureReason,
    method: record.request.method,
    path: record.request.path,
    bodyBytes: record.request.body.length,
    target:
      target === null
        ? null
        : {
            url: target.url,
            statusCode: target.statusCode,
            error: target.error,
            durationMs: target.durationMs,
          },
    replayOf: record.replayOf,
    // With several --forward: every matching target's answer (`target` is the worst; empty: none took it).
    ...(record.targets === undefined
      ? {}
      : { targets: record.targets.map((t) => ({ url: t.url, statusCode: t.statusCode, error: t.error, durationMs: t.durationMs })) }),
  };
}
