#!/usr/bin/env node
/**
 * `fnauth`: the process around {@link run}. The first Ctrl-C asks the
 * command to stop (login stops polling within one interval and exits 130);
 * a second one quits at once. When the reader of its output goes away
 * (`fnauth call | head -1`), it stops without a word, with the status a
 * shell gives a process ended by SIGPIPE.
 */
import { EXIT, run } from './run';

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(EXIT.cancelled);
  controller.abort();
});

for (const stream of [process.stdout, process.stderr]) {
  // Node turns a closed pipe into EPIPE on the next write. Either way the output is gone: nothing more can be said.
  stream.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? EXIT.closedPipe : EXIT.failure));
}

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
