import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PortInUseError, startLocalStack } from '../../dev/local-stack';

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
});
