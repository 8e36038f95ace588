/**
 * Work that concurrent callers share: while a run for a key is in flight,
 * every caller with that key gets the same promise instead of starting the
 * work again. Once it settles, the next caller starts afresh; nothing is
 * remembered (a cache, where wanted, sits on top).
 *
 * Instance-local by nature: it spares the tenant and Cosmos DB the duplicate
 * calls of one instance; other instances still make their own.
 *
 * Tested by test/lib/single-flight.test.ts.
 *
 * @example
 * ```ts
 * const refreshes = new SingleFlight<string, string>();
 * // 100 concurrent requests of one session: one refresh, 100 access tokens.
 * const token = await refreshes.run(session.id, () => acquireToken(session));
 * ```
 */
export class SingleFlight<K, T> {
  private readonly flights = new Map<K, Promise<T>>();

  /** `work()`'s promise, or the one already running for `key`. */
  run(key: K, work: () => Promise<T>): Promise<T> {
    const running = this.flights.get(key);
    if (running) return running;
    const flight = work().finally(() => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    });
    this.flights.set(key, flight);
    return flight;
  }

  /**
   * Whether `flight` is still the run for `key`: false once {@link forget}
   * let go of it. Its work can ask this before keeping what it found.
   */
  holds(key: K, flight: Promise<T>): boolean {
    return this.flights.get(key) === flight;
  }

  /** The next caller with `key` starts a new run; whoever waits on the old one still gets its result. */
  forget(key: K): void {
    this.flights.delete(key);
  }
}
