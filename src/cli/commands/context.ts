/** What every command gets: its settings, the outside world, and its positional arguments. */
import type { Io } from '../io';
import type { CliSettings } from '../settings';

export interface CommandContext {
  settings: CliSettings;
  io: Io;
  /** Arguments after the command name. */
  args: string[];
  /** Whether stderr, where instructions go, may be coloured (see `colorAllowed`). */
  color: boolean;
}

/** Cache problems go to stderr: they are worth knowing, not the command's output. */
export function warner(io: Io): (message: string) => void {
  return (message) => io.stderr.write(`Warning: ${message}\n`);
}
