/**
 * Runs `total` tasks with at most `concurrency` in flight, in index order, and stops starting new
 * ones once `shouldStop()` is true (tasks already running finish). Resolves with how many started.
 *
 * Workers pull the next index rather than the run splitting work up front, so one slow answer
 * holds up one slot, not a share of the run.
 */
export async function runConcurrently(
  total: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total && !shouldStop()) {
      await task(next++);
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(Math.max(1, concurrency), total); i++) workers.push(worker());
  await Promise.all(workers);
  return next;
}
