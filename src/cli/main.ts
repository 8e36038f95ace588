#!/usr/bin/env node
/**
 * `fnauth`: the process around {@link run}. The first Ctrl-C asks the
 * command to stop (login stops polling within one interval and exits 130);
 * a second one quits at once.
 */
import { EXIT, run } from './run';

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(EXIT.cancelled);
  controller.abort();
});

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal }).then(
  (code) => {
    // A cancelled command may leave a request in flight; nothing of it is wanted any more.
    if (code === EXIT.cancelled) process.exit(code);
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`Something unexpected went wrong (${error instanceof Error ? error.name : typeof error}).\n`);
    process.exitCode = EXIT.failure;
  },
);
