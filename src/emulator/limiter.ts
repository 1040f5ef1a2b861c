/**
 * Runs tasks with at most `perKey` at once for one key (an endpoint) and `total` at once overall;
 * the others wait in the order they came, a task whose key is at its limit letting later tasks of
 * other keys go first. So one slow receiver holds back its own deliveries, not everyone's.
 */
export class ConcurrencyLimiter {
  private readonly active = new Map<string, number>();
  private running = 0;
  private readonly waiting: Array<{ key: string; start: () => void }> = [];

  constructor(
    private readonly perKey: number,
    private readonly total: number,
  ) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<void>((start) => {
      this.waiting.push({ key, start });
      this.startReady();
    }).then(async () => {
      try {
        return await task();
      } finally {
        this.running--;
        const left = this.active.get(key)! - 1;
        if (left === 0) this.active.delete(key);
        else this.active.set(key, left);
        this.startReady();
      }
    });
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  private startReady(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.total; ) {
      const { key, start } = this.waiting[i]!;
      const busy = this.active.get(key) ?? 0;
      if (busy >= this.perKey) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.active.set(key, busy + 1);
      this.running++;
      start();
    }
  }
}
