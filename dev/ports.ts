/**
 * Whether a server can listen on a port of 127.0.0.1 now, found by listening
 * on it for a moment. `npm run dev` and `npm start` ask before they start a
 * server there, so that a port in use is reported with the setting that
 * chose it, instead of Node's bare `EADDRINUSE` from a child process.
 *
 * @example
 * ```ts
 * await availablePort(7071); // 7071, or undefined while something listens there
 * await availablePort(0); // a port that is free now
 * ```
 */
import { createServer, type AddressInfo } from 'node:net';

/** The port (any free one for 0) when it can be listened on; undefined when it is in use. */
export function availablePort(port: number): Promise<number | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const chosen = (server.address() as AddressInfo).port;
      server.close(() => resolve(chosen));
    });
  });
}
