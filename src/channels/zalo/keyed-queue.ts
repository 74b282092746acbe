/**
 * Runs tasks at most `limit` at a time overall and one at a time per key (a citizen's events stay in
 * order), in arrival order. In memory: what it holds is also stored, so a crash loses nothing.
 */
export class KeyedQueue {
  private readonly waiting: { key: string; task: () => Promise<void>; done: () => void }[] = [];
  private readonly busyKeys = new Set<string>();
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** Resolves when the task has run (tasks handle their own errors; a throw is swallowed here). */
  run(key: string, task: () => Promise<void>): Promise<void> {
    return new Promise((done) => {
      this.waiting.push({ key, task, done });
      this.pump();
    });
  }

  get size(): number {
    return this.waiting.length + this.running;
  }

  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.limit; ) {
      const item = this.waiting[i]!;
      if (this.busyKeys.has(item.key)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.busyKeys.add(item.key);
      this.running++;
      void item
        .task()
        .catch(() => undefined)
        .finally(() => {
          this.busyKeys.delete(item.key);
          this.running--;
          item.done();
          this.pump();
          if (this.size === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }
}
