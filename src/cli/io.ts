/**
 * What a command may touch of the outside world, passed in so tests run the
 * CLI in-process: the two output streams, the environment, and Ctrl-C.
 *
 * @example
 * ```ts
 * await run(['whoami'], { stdout: process.stdout, stderr: process.stderr, env: process.env, signal });
 * ```
 */
import type { Env } from './settings';

/** The part of a stream the CLI uses; `isTTY` on stderr turns on the live countdown, and with colour the QR code. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Io {
  stdout: Output;
  stderr: Output;
  env: Env;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Defaults to `process.platform`; decides the default token cache folder. */
  platform?: NodeJS.Platform;
}

/**
 * Whether what goes to `out` may be coloured: only on a terminal, and not
 * when `NO_COLOR` is set to anything but the empty string (no-color.org),
 * `TERM` is `dumb`, or `--no-color` was given.
 */
export function colorAllowed(out: Output, env: Env, noColorFlag = false): boolean {
  return out.isTTY === true && !noColorFlag && !env.NO_COLOR && env.TERM !== 'dumb';
}

export function writeLine(out: Output, text = ''): void {
  out.write(`${text}\n`);
}

/**
 * Text from a server, made safe to print: no control characters, so an answer
 * cannot move the cursor, recolour the terminal or hide what was printed.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}
