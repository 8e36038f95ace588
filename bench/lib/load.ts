/**
 * Fixed-duration load with autocannon (in this process; the servers under
 * test run in their own processes).
 *
 * Latencies are taken from autocannon's per-response event rather than its
 * histogram, which keeps whole milliseconds only: at concurrency 1 the
 * answers take about a millisecond, and p50 would read 1 or 2.
 */
import autocannon from 'autocannon';

export interface LoadRun {
  durationSeconds: number;
  /** Latencies (ms) of the 2xx answers: a refusal is a failed check, not a fast answer. */
  latencies: number[];
  /** Requests sent, including those still in flight when the time was up. */
  sent: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export async function runLoad(options: { url: string; headers: Record<string, string>; connections: number; durationSeconds: number }): Promise<LoadRun> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url: options.url, headers: options.headers, connections: options.connections, duration: options.durationSeconds },
      (error: unknown, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  return {
    durationSeconds: result.duration,
    latencies,
    sent: result.requests.sent,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
