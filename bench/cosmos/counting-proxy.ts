/**
 * An HTTP proxy for the Cosmos DB REST API that counts every request by
 * container, operation class and status, and adds up `x-ms-request-charge`.
 * The functions run in a child process, so the proxy is the one place that
 * sees all of their Cosmos traffic: counted, not guessed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyCosmosRequest } from './classify';

/** Keys are `container|operation|detail|status` (container `-` for account/database metadata). */
export interface CosmosTally {
  counts: Record<string, number>;
  /** Sum of `x-ms-request-charge` per key, where the server reported one. */
  charges: Record<string, number>;
}

export interface CountingProxy {
  url: string;
  tally(): CosmosTally;
  close(): Promise<void>;
}

// Hop-by-hop headers belong to each leg of the connection, not to the message.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  // Keep-alive on both legs, as the SDK has against a real account: the proxy should add a hop, not a handshake.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const tally: CosmosTally = { counts: {}, charges: {} };

  const server = http.createServer((req, res) => {
    const { operation, detail, container } = classifyCosmosRequest(req.method ?? 'GET', req.url ?? '/', req.headers);
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: endToEnd(req.headers), agent },
      (reply) => {
        const key = `${container}|${operation}|${detail}|${reply.statusCode ?? 0}`;
        tally.counts[key] = (tally.counts[key] ?? 0) + 1;
        const charge = Number(reply.headers['x-ms-request-charge']);
        if (Number.isFinite(charge)) tally.charges[key] = (tally.charges[key] ?? 0) + charge;
        res.writeHead(reply.statusCode ?? 502, endToEnd(reply.headers));
        reply.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tally: () => structuredClone(tally),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
