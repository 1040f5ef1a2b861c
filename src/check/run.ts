/**
 * Runs the check plans against one handler: every request signed at the moment it goes out and sent
 * through the delivery client (the same sender as `trigger`), `concurrency` at a time; the
 * requests of a redelivery check go in order, each after the previous answer. A handler that
 * answers none of the first requests (they all time out) is given up on: see `DEAD_AFTER`.
 */
import { runConcurrently } from "../delivery/batch.js";
import type { DeliveryResult } from "../delivery/report.js";
import type { DeliveryClient } from "../delivery/send.js";
import type { SignatureScheme } from "../signing/options.js";
import { judgeChecks, type CheckVerdict } from "./judge.js";
import { signedRequest, type CheckPlan, type CheckRequest } from "./plan.js";

interface CheckRun {
  plans: readonly CheckPlan[];
  url: URL;
  scheme: SignatureScheme;
  client: Pick<DeliveryClient, "send">;
  concurrency: number;
  /** Aborting stops sending; the checks whose requests did not all go out are left out. */
  signal?: AbortSignal;
  /** Epoch ms; passed in so tests control timestamps. */
  now?: () => number;
  /** Called as each request goes out (progress). */
  onSend?(plan: CheckPlan, request: CheckRequest): void;
  /** Called as each answer arrives (progress, --verbose lines). */
  onAnswer?(plan: CheckPlan, request: CheckRequest, result: DeliveryResult): void;
}

/**
 * A handler that has answered nothing while this many requests timed out (or every request of the
 * first round, when a round is smaller) is taken for dead: waiting out the other requests would cost
 * another 30 s a round for no new information. The requests of the first round go out together, so
 * each of them had the full 30 s.
 */
const DEAD_AFTER = 10;

interface CheckRunOutcome {
  /** In the plans' order; only checks whose every request was answered (or failed) are judged. */
  verdicts: CheckVerdict[];
  interrupted: boolean;
  /** True when no request reached the handler at all because nothing listens at the URL. */
  unreachable: boolean;
  /**
   * Set when the run gave up on a handler that answered nothing: how many requests timed out. The
   * requests still in flight are abandoned (the caller destroys the client) and no check is judged:
   * which ones happened to finish is down to timing, and each would only say "no answer" again.
   */
  stopped?: { timedOut: number };
  /** The checks not judged (interrupted, or stopped), in the plans' order. */
  notRun: CheckPlan[];
}

interface Task {
  plan: CheckPlan;
  /** Indexes into plan.requests, sent in this order. */
  indexes: number[];
}

/**
 * Chains first (they take the longest), then the single requests: with a concurrency of
 * `roundSize(plans)` every request that does not wait for another goes out at once, so a slow
 * handler costs the run about two answers' time (an answer, then the repeat of the redelivery).
 */
function tasksOf(plans: readonly CheckPlan[]): Task[] {
  const tasks: Task[] = [];
  for (const plan of plans) {
    if (plan.expect === "accept-again") tasks.unshift({ plan, indexes: plan.requests.map((_, i) => i) });
  }
  for (const plan of plans) {
    if (plan.expect !== "accept-again") tasks.push(...plan.requests.map((_, i) => ({ plan, indexes: [i] })));
  }
  return tasks;
}

/** How many requests can be in flight at once: every single request and the first of each chain. */
export function roundSize(plans: readonly CheckPlan[]): number {
  return tasksOf(plans).length;
}

export async function runChecks(run: CheckRun): Promise<CheckRunOutcome> {
  const now = run.now ?? Date.now;
  const answers = new Map<CheckPlan, Array<DeliveryResult | undefined>>(run.plans.map((p) => [p, []]));
  let interrupted = false;
  let reached = false;
  let answered = false;
  let timedOut = 0;
  let stopped: { timedOut: number } | undefined;
  const tasks = tasksOf(run.plans);
  const deadAfter = Math.min(DEAD_AFTER, run.concurrency, tasks.length);
  // Resolved when the run gives up on a dead handler, so it does not wait for the requests in flight.
  let giveUp!: () => void;
  const gaveUp = new Promise<void>((resolve) => (giveUp = resolve));
  const halted = () => run.signal?.aborted === true || stopped !== undefined;

  const sending = runConcurrently(
    tasks.length,
    run.concurrency,
    async (index) => {
      const { plan, indexes } = tasks[index]!;
      for (const i of indexes) {
        if (halted()) return;
        const request = plan.requests[i]!;
        const delivery = signedRequest(request, run.scheme, Math.floor(now() / 1000));
        run.onSend?.(plan, request);
        const result = await run.client.send(run.url, delivery);
        if (stopped !== undefined) return; // abandoned: the report is already decided
        if (result.errorCode === "interrupted") {
          interrupted = true;
          return;
        }
        if (result.errorCode !== "connection_refused") reached = true;
        if (result.status !== null) answered = true;
        answers.get(plan)![i] = result;
        run.onAnswer?.(plan, request, result);
        if (result.errorCode === "timeout" && ++timedOut >= deadAfter && !answered) {
          stopped = { timedOut };
          giveUp();
          return;
        }
      }
    },
    halted,
  );
  await Promise.race([sending, gaveUp]);

  if (stopped) return { verdicts: [], interrupted: false, unreachable: false, stopped, notRun: [...run.plans] };

  interrupted ||= run.signal?.aborted === true;
  const finished = (plan: CheckPlan) => !interrupted || plan.requests.every((_, i) => answers.get(plan)![i] !== undefined);
  const verdicts: CheckVerdict[] = judgeChecks(run.plans.filter(finished).map((plan) => ({ plan, answers: answers.get(plan)! })));
  const notRun = run.plans.filter((plan) => !finished(plan));
  return { verdicts, interrupted, unreachable: !reached && !interrupted, notRun };
}
