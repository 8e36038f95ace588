import { mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PortInUseError, startLocalStack } from '../../dev/local-stack';

/** Whether anything accepts connections at the URL's port. */
function listening(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the local stack launcher', () => {
  it('names the busy port and the setting to change when a port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const error = await startLocalStack({ functionsPort: port, functionsHost: 'builtin' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PortInUseError);
      expect((error as Error).message).toBe(
        `Port ${port} (the functions) is already in use. Stop whatever uses it (another "npm run dev" or "func start"?) or choose another port with FUNCTIONS_PORT=<port>.`,
      );
    } finally {
      blocker.close();
    }
  });

  it('restarts the functions when src/ changes, and stops everything when they die', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'local-stack-'));
    const lines: string[] = [];
    const stack = await startLocalStack({
      functionsPort: 0,
      providerPort: 0,
      cosmosPort: 0,
      dataDir,
      functionsHost: 'builtin',
      watch: true,
      onOutput: (line) => lines.push(line),
    });
    try {
      const first = stack.functionsPid();
      expect(first).toBeDefined();

      // Touch a source file (its content stays as it is): the watcher sees the change.
      const source = join(__dirname, '../../src/functions/home.ts');
      const { atime, mtime } = statSync(source);
      utimesSync(source, atime, new Date());
      utimesSync(source, atime, mtime);
      await expect.poll(() => lines, { timeout: 30_000, interval: 100 }).toContain('src/ changed: the functions restarted.');
      const second = stack.functionsPid();
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
      expect((await fetch(stack.urls.home)).status).toBe(200);

      expect(await listening(stack.urls.provider)).toBe(true);
      process.kill(second!, 'SIGKILL');
      expect(await stack.ended).toBe('The functions host stopped (signal SIGKILL); see its output above. Stopping the local stack.');
      expect(await listening(stack.urls.provider)).toBe(false);
      expect(await listening(stack.urls.cosmos)).toBe(false);
    } finally {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
