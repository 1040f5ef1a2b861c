/**
 * The report of a check run, for people (a table: result, check, what was sent and what came back,
 * and the advice under each warning or failure) and for scripts (one JSON object). Pure. Details
 * quote the handler's answers, which come from outside: they are escaped before they are placed.
 */
import { formatDuration } from "../delivery/report.js";
import type { SignatureScheme } from "../signing/options.js";
import { escapeControl } from "../terminal/escape.js";
import type { CheckResult, CheckSummary, CheckVerdict } from "./judge.js";
import type { CheckPlan } from "./plan.js";

/** Colour functions for the result words; identity when colour is off. */
interface ResultColors {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  dim(text: string): string;
}

const PLAIN: ResultColors = { green: (t) => t, yellow: (t) => t, red: (t) => t, dim: (t) => t };

/** A detail is cut here on a terminal line; --json keeps it whole. */
const MAX_DETAIL = 240;

function resultWord(result: CheckResult, colors: ResultColors): string {
  if (result === "pass") return colors.green("pass");
  if (result === "warn") return colors.yellow("warn");
  return colors.red("FAIL");
}

/**
 *   pass  valid deliveries   52 event types, each answered 200 (slowest: order.created 12 ms)
 *   FAIL  bad signature      draw.consumer.won [whk_…] signed with another secret → 200 in 3 ms
 *         fix: the handler does not verify signatures: …
 *   skip  redelivery         not run
 */
export function checkTable(
  verdicts: readonly CheckVerdict[],
  colors: ResultColors = PLAIN,
  notRun: ReadonlyArray<Pick<CheckPlan, "title">> = [],
): string[] {
  const width = Math.max(...verdicts.map((v) => v.title.length), ...notRun.map((p) => p.title.length));
  const lines: string[] = [];
  for (const v of verdicts) {
    const detail = escapeControl(v.detail.length > MAX_DETAIL ? v.detail.slice(0, MAX_DETAIL - 1) + "…" : v.detail);
    lines.push(`${resultWord(v.result, colors)}  ${v.title.padEnd(width)}  ${detail}`);
    if (v.advice) lines.push(`      ${" ".repeat(width)}  ${colors.dim("fix:")} ${v.advice}`);
  }
  for (const plan of notRun) lines.push(colors.dim(`skip  ${plan.title.padEnd(width)}  not run`));
  return lines;
}

interface ReportContext {
  url: string;
  scheme: SignatureScheme;
  events: number;
  requests: number;
  elapsedMs: number;
  /** Checks planned; fewer are reported when Ctrl-C stopped the run. */
  planned: number;
  interrupted: boolean;
  /** The checks not run (interrupted, or given up on a handler that answered nothing). */
  notRun?: ReadonlyArray<Pick<CheckPlan, "name">>;
  /** Set when the run gave up on a handler that answered none of the first `timedOut` requests. */
  stopped?: { timedOut: number } | undefined;
}

/** `the handler answered none of the first 10 requests within 30 s: stopped`. */
function stoppedText(stopped: { timedOut: number }): string {
  const requests = stopped.timedOut === 1 ? "its first request" : `none of the first ${stopped.timedOut} requests`;
  return `the handler answered ${requests} within 30 s: stopped`;
}

/** `6 passed, 1 warning, 1 failed: 61 requests to http://… in 1.2 s`. */
export function summaryText(summary: CheckSummary, context: ReportContext): string {
  const warnings = `${summary.warned} warning${summary.warned === 1 ? "" : "s"}`;
  const done = summary.passed + summary.warned + summary.failed;
  const line =
    `${summary.passed} passed, ${warnings}, ${summary.failed} failed: ` +
    `${context.requests} requests to ${escapeControl(context.url)} in ${formatDuration(context.elapsedMs)}`;
  if (context.interrupted) return `${line} (interrupted: ${context.planned - done} of ${context.planned} checks not finished)`;
  if (context.stopped) return `${line} (${stoppedText(context.stopped)}, ${context.planned - done} of ${context.planned} checks not run)`;
  return line;
}

/** `--json`: `{"checks":[{"name","result","detail","advice",…}],"summary":{…}}`. */
export function checkReport(verdicts: readonly CheckVerdict[], summary: CheckSummary, context: ReportContext) {
  return {
    checks: verdicts.map((v) => ({
      name: v.name,
      title: v.title,
      result: v.result,
      detail: v.detail,
      advice: v.advice,
      requests: v.requests,
    })),
    summary: {
      ...summary,
      total: verdicts.length,
      ok: summary.failed === 0 && !context.stopped,
      url: context.url,
      scheme: context.scheme,
      events: context.events,
      requests: context.requests,
      elapsedMs: Math.round(context.elapsedMs),
      interrupted: context.interrupted,
      stopped: context.stopped ? stoppedText(context.stopped) : null,
      notRun: (context.notRun ?? []).map((plan) => plan.name),
    },
  };
}

/** Nothing answered for this long with requests out: the progress line says what it waits for. */
const WAITING_AFTER_MS = 1_000;

/**
 * `  12/61 requests answered` rewritten in place while the checks run on a terminal; once no answer
 * has come for a second, `, waiting for 49 answers (12 s)…`, so a silent handler is not a frozen run.
 */
export function progressText(done: number, total: number, waiting?: { count: number; ms: number }): string {
  const line = `  ${String(done).padStart(String(total).length)}/${total} requests answered`;
  if (!waiting || waiting.count <= 0 || waiting.ms < WAITING_AFTER_MS) return line;
  return `${line}, waiting for ${waiting.count} answer${waiting.count === 1 ? "" : "s"} (${Math.floor(waiting.ms / 1000)} s)…`;
}
