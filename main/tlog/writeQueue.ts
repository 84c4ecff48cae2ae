/** Bounded-concurrency writes whose first failure is reported at the next push or at drain. */
export class WriteQueue {
  private inFlight = new Set<Promise<void>>();
  private failure: unknown = null;

  constructor(private readonly limit = 16) {}

  async push(task: () => Promise<void>): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
    const p: Promise<void> = task()
      .catch((e) => {
        this.failure ??= e;
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }
}
