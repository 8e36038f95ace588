/**
 * Full sign-ins per second: `concurrency` scripted browsers, each signing in
 * again and again (a fresh cookie jar each time, so the provider's sign-in
 * form is always filled in) until the time is up. A sign-in counts only if
 * it ends with the app's session cookie set; failures are counted and the
 * first one is kept, so one bad answer is reported rather than ending the run.
 *
 * As with the load runs, each app's time is split into rounds taken in turns,
 * so that drift in the machine's other load lands on every app alike.
 *
 * The local providers and the scripted browsers share this process: at higher
 * concurrency they, not the apps, set the pace. The app's own requests (login
 * and callback) are timed apart; at concurrency 1 they are the app's latency.
 */
import { cpuMs } from '../lib/process-cpu';
import { rotate } from '../lib/turns';
import { signIn, type SignInTarget } from '../lib/sign-in';
import { summarize, type Summary } from '../lib/stats';
import type { BenchUser } from '../lib/users';

export interface SignInApp {
  key: string;
  target: SignInTarget;
  pid?: number;
}

export interface SignInThroughput {
  app: string;
  concurrency: number;
  seconds: number;
  completed: number;
  perSecond: number;
  totalMs: Summary;
  loginMs: Summary;
  callbackMs: Summary;
  /** The app process's CPU time per sign-in. */
  appCpuMsPerSignIn?: number;
  failed: number;
  firstFailure?: string;
}

interface Samples {
  seconds: number;
  totals: number[];
  logins: number[];
  callbacks: number[];
  cpuMs?: number;
  failed: number;
  firstFailure?: string;
}

async function signInFor(app: SignInApp, users: BenchUser[], concurrency: number, seconds: number, into: Samples): Promise<void> {
  const cpuBefore = app.pid ? cpuMs(app.pid) : undefined;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        const { totalMs, loginMs, callbackMs } = await signIn(app.target, users[next++ % users.length]!);
        into.totals.push(totalMs);
        into.logins.push(loginMs);
        into.callbacks.push(callbackMs);
      } catch (error) {
        into.failed += 1;
        into.firstFailure ??= (error as Error).message.slice(0, 500);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  into.seconds += (performance.now() - started) / 1000;
  const cpuAfter = app.pid ? cpuMs(app.pid) : undefined;
  into.cpuMs = cpuBefore !== undefined && cpuAfter !== undefined && into.cpuMs !== undefined ? into.cpuMs + cpuAfter - cpuBefore : undefined;
}

export async function measureSignInThroughput(
  apps: SignInApp[],
  users: BenchUser[],
  options: { concurrency: number[]; seconds: number; rounds: number },
): Promise<SignInThroughput[]> {
  // A few unmeasured sign-ins: an app's first one resolves the provider's metadata and keys.
  for (const app of apps) for (const user of users.slice(0, 3)) await signIn(app.target, user);
  const roundSeconds = Math.max(1, options.seconds / options.rounds);
  const results: SignInThroughput[] = [];
  for (const concurrency of options.concurrency) {
    const samples = new Map<string, Samples>(apps.map((app) => [app.key, { seconds: 0, totals: [], logins: [], callbacks: [], cpuMs: 0, failed: 0 }]));
    for (let round = 0; round < options.rounds; round += 1) {
      for (const app of rotate(apps, round + concurrency)) await signInFor(app, users, concurrency, roundSeconds, samples.get(app.key)!);
    }
    for (const app of apps) {
      const s = samples.get(app.key)!;
      results.push({
        app: app.key,
        concurrency,
        seconds: s.seconds,
        completed: s.totals.length,
        perSecond: s.totals.length / s.seconds,
        totalMs: summarize(s.totals),
        loginMs: summarize(s.logins),
        callbackMs: summarize(s.callbacks),
        ...(s.cpuMs !== undefined ? { appCpuMsPerSignIn: s.cpuMs / Math.max(1, s.totals.length) } : {}),
        failed: s.failed,
        ...(s.firstFailure ? { firstFailure: s.firstFailure } : {}),
      });
      if (s.failed > 0) process.stderr.write(`  ! ${app.target.name}, ${concurrency} at a time: ${s.failed} failed sign-ins; first: ${s.firstFailure}\n`);
    }
  }
  return results;
}
