/**
 * Runs the check plans against one handler: every request signed at the moment it goes out and sent
 * through the delivery client (the same sender as `trigger`), `concurrency` at a time; the
 * requests of a redelivery check go in order, each after the previous answer.
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
  /** Called as each answer arrives (progress, --verbose lines). */
  onAnswer?(plan: CheckPlan, request: CheckRequest, result: DeliveryResult): void;
}

interface CheckRunOutcome {
  /** In the plans' order; only checks whose every request was answered (or failed) are judged. */
  verdicts: CheckVerdict[];
  interrupted: boolean;
  /** True when no request reached the handler at all because nothing listens at the URL. */
  unreachable: boolean;
}

interface Task {
  plan: CheckPlan;
  /** Indexes into plan.requests, sent in this order. */
  indexes: number[];
}

export async function runChecks(run: CheckRun): Promise<CheckRunOutcome> {
  const now = run.now ?? Date.now;
  const answers = new Map<CheckPlan, Array<DeliveryResult | undefined>>(run.plans.map((p) => [p, []]));
  let interrupted = false;
  let reached = false;

  // Chains first (they take the longest), then the single requests: with enough concurrency a slow
  // handler costs the run about one answer's time, not one per check.
  const tasks: Task[] = [];
  for (const plan of run.plans) {
    if (plan.expect === "accept-again") tasks.unshift({ plan, indexes: plan.requests.map((_, i) => i) });
  }
  for (const plan of run.plans) {
    if (plan.expect !== "accept-again") tasks.push(...plan.requests.map((_, i) => ({ plan, indexes: [i] })));
  }

  await runConcurrently(
    tasks.length,
    run.concurrency,
    async (index) => {
      const { plan, indexes } = tasks[index]!;
      for (const i of indexes) {
        if (run.signal?.aborted) return;
        const request = plan.requests[i]!;
        const delivery = signedRequest(request, run.scheme, Math.floor(now() / 1000));
        const result = await run.client.send(run.url, delivery);
        if (result.errorCode === "interrupted") {
          interrupted = true;
          return;
        }
        if (result.errorCode !== "connection_refused") reached = true;
        answers.get(plan)![i] = result;
        run.onAnswer?.(plan, request, result);
      }
    },
    () => run.signal?.aborted === true,
  );

  interrupted ||= run.signal?.aborted === true;
  const finished = run.plans
    .map((plan) => ({ plan, answers: answers.get(plan)! }))
    .filter(({ plan, answers: got }) => !interrupted || plan.requests.every((_, i) => got[i] !== undefined));
  const verdicts: CheckVerdict[] = judgeChecks(finished);
  return { verdicts, interrupted, unreachable: !reached && !interrupted };
}
