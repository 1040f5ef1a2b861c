/**
 * How `webhooks check` judges a handler's answers: one verdict per check, with what was sent, what
 * came back and one line of advice. Pure: answers in, verdicts out.
 */
import { formatDuration, isOk, type DeliveryResult } from "../delivery/report.js";
import { SLOW_ANSWER_MS, type CheckName, type CheckPlan, type CheckRequest } from "./plan.js";

export type CheckResult = "pass" | "warn" | "fail";

/** One request as the report shows it. */
interface RequestOutcome {
  event: string;
  id: string;
  variant?: string;
  /** The handler's status, or null when it never answered. */
  status: number | null;
  durationMs: number | null;
  /** Why there was no answer ("connection refused", "timed out after 30 s"), or null. */
  error: string | null;
}

export interface CheckVerdict {
  name: CheckName;
  title: string;
  result: CheckResult;
  /** What was sent and what came back, in one line. */
  detail: string;
  /** What to fix, in one line; null when the check passed. */
  advice: string | null;
  requests: RequestOutcome[];
}

/** An answer that is missing (the run was stopped before it was sent). */
type Answer = DeliveryResult | undefined;

const RESPONSE_EXCERPT = 60;
/** At most this many requests are named in one detail line; the rest are counted. */
const NAMED = 3;

export const ADVICE = {
  notAccepted: "answer 2xx to every validly signed delivery, whatever its event type, within 30 s",
  verifyRaw: "compare the signature over the raw body, before JSON parsing (check the secret too)",
  crashed: "the handler failed on a valid delivery: see its logs, and answer 2xx to event types it does not handle",
  tooSlow: "answer within 30 s: acknowledge first and do slow work afterwards (a queue), or the delivery is retried",
  slow: "answer sooner: over 5 s is close to the 30 s limit, after which the delivery is retried; queue slow work",
  noVerify:
    "the handler does not verify signatures: compute HMAC-SHA256 of the raw body with your secret, compare it in constant time and answer 401 when it differs",
  noSignature: "refuse a delivery without X-Fanfare-Signature (answer 400 or 401) before doing anything with it",
  tampered: "the handler does not check the signature against the body it received: compute it over the raw body as it arrived",
  reserialised:
    "compare the signature over the raw body, before JSON parsing: the handler verifies a re-serialised body, which breaks on any other formatting",
  oldTimestamp: "reject timestamps older than 5 minutes (X-Fanfare-Timestamp, signed as the t= of the signature): a captured delivery can be replayed",
  refusedLoudly: "refuse with 400 or 401, not a 5xx: a 5xx looks like an outage and is retried",
  noAnswer: "refuse with 400 or 401 and close the request: the handler crashed or hung on it",
  idempotent:
    "make the handler idempotent on X-Fanfare-Delivery-Id: a delivery it has already processed gets 2xx again, without doing the work twice",
  idempotentStatus:
    "answer 2xx to a delivery it has already processed (same X-Fanfare-Delivery-Id): any other answer marks the delivery failed",
  tooLarge: "accept bodies of at least 1 MB: raise the body parser's limit (e.g. express.raw({ type: \"application/json\", limit: \"2mb\" }))",
  encoding: "read the body as raw UTF-8 bytes and verify over those bytes, not over a re-encoded string",
  sameAsValid: "a plain valid delivery of this event type is refused too (valid deliveries): fix that first",
} as const;

/** Checks that send validly signed deliveries of the first event type, as valid-deliveries does. */
const BUILT_ON_VALID: ReadonlySet<CheckName> = new Set(["redelivery", "large-payload", "non-ascii"]);

/**
 * Every verdict, with advice that sees the whole run: when a plain valid delivery of the first event
 * type was not accepted, the checks built on one fail for that reason, and saying "make it
 * idempotent" or "read the body as UTF-8" would send the user after the wrong fix.
 */
export function judgeChecks(judged: ReadonlyArray<{ plan: CheckPlan; answers: readonly Answer[] }>): CheckVerdict[] {
  const valid = judged.find((j) => j.plan.name === "valid-deliveries");
  const firstRefused = valid !== undefined && !isOk(valid.answers[0]?.status ?? null);
  return judged.map(({ plan, answers }) => {
    const verdict = judgeCheck(plan, answers);
    if (firstRefused && verdict.result === "fail" && BUILT_ON_VALID.has(plan.name)) verdict.advice = ADVICE.sameAsValid;
    return verdict;
  });
}

function outcomeOf(request: CheckRequest, answer: Answer): RequestOutcome {
  const outcome: RequestOutcome = {
    event: request.event,
    id: request.id,
    status: answer?.status ?? null,
    durationMs: answer ? Math.round(answer.durationMs * 10) / 10 : null,
    error: answer ? answer.error : "not sent",
  };
  if (request.variant !== undefined) outcome.variant = request.variant;
  return outcome;
}

/** `draw.consumer.won [whk_…] signed with another secret`. */
function sentText(request: Pick<CheckRequest, "event" | "id" | "variant">): string {
  return `${request.event} [${request.id}]${request.variant ? ` ${request.variant}` : ""}`;
}

/** `200 in 4 ms`, `401 in 2 ms: {"error":"invalid signature"}`, `no answer: connection refused`. */
function answerText(answer: Answer, withBody = false): string {
  if (!answer) return "not sent";
  if (answer.status === null) return `no answer: ${answer.error ?? "unknown error"}`;
  const text = `${answer.status} in ${formatDuration(answer.durationMs)}`;
  const body = answer.responseBody.replace(/\s+/g, " ").trim();
  if (!withBody || body === "") return text;
  return `${text}: ${body.length > RESPONSE_EXCERPT ? body.slice(0, RESPONSE_EXCERPT - 1) + "…" : body}`;
}

const is4xx = (a: Answer) => a?.status != null && a.status >= 400 && a.status < 500;
const is5xx = (a: Answer) => a?.status != null && a.status >= 500;
const isSlow = (a: Answer) => a !== undefined && a.durationMs > SLOW_ANSWER_MS;
const timedOut = (a: Answer) => a?.errorCode === "timeout";

/** The verdict on one check from its answers (aligned with plan.requests; missing when not sent). */
export function judgeCheck(plan: CheckPlan, answers: readonly Answer[]): CheckVerdict {
  const pairs = plan.requests.map((request, i) => ({ request, answer: answers[i] }));
  const verdict = (result: CheckResult, detail: string, advice: string | null): CheckVerdict => ({
    name: plan.name,
    title: plan.title,
    result,
    detail,
    advice: result === "pass" ? null : advice,
    requests: pairs.map(({ request, answer }) => outcomeOf(request, answer)),
  });
  switch (plan.expect) {
    case "accept":
      return judgeAccept(plan, pairs, verdict);
    case "refuse":
      return judgeRefuse(plan, pairs, verdict);
    case "accept-again":
      return judgeRepeat(pairs, verdict);
  }
}

type Pair = { request: CheckRequest; answer: Answer };
type Verdict = (result: CheckResult, detail: string, advice: string | null) => CheckVerdict;

function judgeAccept(plan: CheckPlan, pairs: Pair[], verdict: Verdict): CheckVerdict {
  const one = pairs.length === 1 ? pairs[0]! : undefined;
  const refused = pairs.filter((p) => !p.answer || !isOk(p.answer.status));
  if (refused.length > 0) {
    const answers = refused.map((p) => p.answer);
    const detail = one
      ? `${sentText(one.request)} → ${answerText(one.answer, true)}`
      : `${refused.length} of ${pairs.length} not accepted: ${listed(refused, (p) => `${p.request.event} → ${answerText(p.answer, true)}`)}`;
    let advice: string = ADVICE.notAccepted;
    if (plan.name === "large-payload" && answers.some((a) => a?.status === 413)) advice = ADVICE.tooLarge;
    else if (answers.some(timedOut)) advice = ADVICE.tooSlow;
    else if (plan.name === "non-ascii" && answers.every(is4xx)) advice = ADVICE.encoding;
    else if (answers.every((a) => a?.status === 401 || a?.status === 403)) advice = ADVICE.verifyRaw;
    else if (answers.some(is5xx)) advice = ADVICE.crashed;
    return verdict("fail", detail, advice);
  }
  const slow = pairs.filter((p) => isSlow(p.answer));
  if (slow.length > 0) {
    const detail = one
      ? `${sentText(one.request)} → ${answerText(one.answer)}, over ${SLOW_ANSWER_MS / 1000} s`
      : `${slow.length} of ${pairs.length} answered after more than ${SLOW_ANSWER_MS / 1000} s: ${listed(slow, (p) => `${p.request.event} ${formatDuration(p.answer!.durationMs)}`)}`;
    return verdict("warn", detail, ADVICE.slow);
  }
  if (one) return verdict("pass", `${sentText(one.request)} → ${answerText(one.answer)}`, null);
  const slowest = pairs.reduce((a, b) => (b.answer!.durationMs > a.answer!.durationMs ? b : a));
  return verdict(
    "pass",
    `${pairs.length} event types, each answered ${statusesOf(pairs)} (slowest: ${slowest.request.event} ${formatDuration(slowest.answer!.durationMs)})`,
    null,
  );
}

function judgeRefuse(plan: CheckPlan, pairs: Pair[], verdict: Verdict): CheckVerdict {
  // A second request of the same event names only its id: the line stays readable.
  const sent = (p: Pair, i: number) =>
    i > 0 && p.request.event === pairs[0]!.request.event ? sentText({ ...p.request, event: "" }).trimStart() : sentText(p.request);
  const detail = pairs.map((p, i) => `${sent(p, i)} → ${answerText(p.answer, !is4xx(p.answer))}`).join("; ");
  const accepted = pairs.filter((p) => p.answer && isOk(p.answer.status));
  if (accepted.length > 0) {
    let advice = ADVICE_FOR_ACCEPTED[plan.name] ?? ADVICE.noVerify;
    // A body changed in value was refused, and only the same JSON reformatted got in: the handler
    // checks the signature, but over its own serialisation of the parsed body.
    if (plan.name === "tampered-body" && accepted.every((p) => p.request.variant?.includes("re-indented"))) {
      advice = ADVICE.reserialised;
    }
    return verdict("fail", detail, advice);
  }
  if (pairs.some((p) => !p.answer || p.answer.status === null)) return verdict("fail", detail, ADVICE.noAnswer);
  if (pairs.every((p) => is4xx(p.answer))) return verdict("pass", detail, null);
  return verdict("warn", detail, ADVICE.refusedLoudly);
}

const ADVICE_FOR_ACCEPTED: Partial<Record<CheckName, string>> = {
  "bad-signature": ADVICE.noVerify,
  "missing-signature": ADVICE.noSignature,
  "tampered-body": ADVICE.tampered,
  "old-timestamp": ADVICE.oldTimestamp,
};

function judgeRepeat(pairs: Pair[], verdict: Verdict): CheckVerdict {
  const [first, ...again] = pairs;
  const parts = [`${sentText(first!.request)} → ${answerText(first!.answer, !isOk(first!.answer?.status ?? null))}`];
  for (const p of again) parts.push(`again with a fresh timestamp → ${answerText(p.answer, !isOk(p.answer?.status ?? null))}`);
  const detail = parts.join(", ");
  if (!first!.answer || !isOk(first!.answer.status)) {
    return verdict("fail", detail, first!.answer?.errorCode === "timeout" ? ADVICE.tooSlow : ADVICE.notAccepted);
  }
  const repeats = again.map((p) => p.answer);
  if (repeats.some((a) => !a || !isOk(a.status))) {
    return verdict("fail", detail, repeats.some((a) => is5xx(a) || a?.status === null) ? ADVICE.idempotent : ADVICE.idempotentStatus);
  }
  if (pairs.some((p) => isSlow(p.answer))) return verdict("warn", detail, ADVICE.slow);
  return verdict("pass", detail, null);
}

/** The first few items, then how many more. */
function listed<T>(items: T[], text: (item: T) => string): string {
  const shown = items.slice(0, NAMED).map(text).join(", ");
  return items.length > NAMED ? `${shown} and ${items.length - NAMED} more` : shown;
}

/** `200`, or `2xx` when the statuses differ. */
function statusesOf(pairs: Pair[]): string {
  const statuses = new Set(pairs.map((p) => p.answer!.status));
  return statuses.size === 1 ? String([...statuses][0]) : "2xx";
}

export interface CheckSummary {
  passed: number;
  warned: number;
  failed: number;
}

export function summarize(verdicts: readonly CheckVerdict[]): CheckSummary {
  const count = (result: CheckResult) => verdicts.filter((v) => v.result === result).length;
  return { passed: count("pass"), warned: count("warn"), failed: count("fail") };
}
