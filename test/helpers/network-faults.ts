/**
 * Real network failures on this machine, for tests of how they are reported:
 * a host name that never resolves (RFC 2606 reserves `.invalid`), a port
 * where nothing listens (also the free port a test starts a server on), a
 * server Node does not trust, and one that never answers.
 *
 * @example
 * ```ts
 * const untrusted = await startUntrustedHttps();
 * await fetch(untrusted.url); // rejects: DEPTH_ZERO_SELF_SIGNED_CERT
 * await untrusted.close();
 * ```
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import selfsigned from 'selfsigned';

/** A host name no resolver will ever answer. */
export const UNRESOLVABLE_HOST = 'login.contoso.invalid';

export interface LocalServer {
  /** `https://localhost:<port>` or `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/** A port on 127.0.0.1 that was free a moment ago: connecting to it is refused, and a server can listen on it. */
export async function freePort(): Promise<number> {
  const server = createHttpServer();
  await listen(server);
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An https server with a fresh self-signed certificate for localhost that no one trusts. */
export async function startUntrustedHttps(): Promise<LocalServer> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, algorithm: 'sha256' });
  const server = createHttpsServer({ key: pems.private, cert: pems.cert }, (_request, response) => response.end('{}'));
  return serve(server, (port) => `https://localhost:${port}`);
}

/** An http server that accepts requests and never answers them. */
export async function startSilentServer(): Promise<LocalServer> {
  return serve(
    createHttpServer(() => undefined),
    (port) => `http://127.0.0.1:${port}`,
  );
}

async function serve(server: Server, url: (port: number) => string): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await listen(server);
  return {
    url: url((server.address() as AddressInfo).port),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}
