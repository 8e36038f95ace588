/**
 * An HTTP-level fault-injecting proxy for the Cosmos DB REST API, to put in
 * front of the local Cosmos DB API server (`@vercel/cosmosdb-server`).
 *
 * Unlike the TCP `fault-proxy.ts`, it understands each request (operation,
 * container, document id) and can answer for the server, delay, or cut it:
 *
 * - `respond`: answer with a status, headers and body without forwarding
 *   (429 with `x-ms-retry-after-ms`, 503, a synthetic 412, malformed bodies …);
 * - `delay`: forward after a pause (slow responses, timeouts);
 * - `reset-before`: reset the connection, nothing reaches the server;
 * - `reset-after`: forward, let the server commit, then reset instead of
 *   answering (the client cannot know the write happened);
 * - `down()` / `up()`: stop and resume listening on the same port.
 *
 * Every request is logged with what the proxy did and, when forwarded, the
 * server's status: tests count retries and 412 merges from that log.
 *
 * With `atomicBatches`, transactional batches behave as Cosmos DB documents
 * them, which the local server does not: it answers a failing batch 200 and
 * keeps what ran before the failure. The proxy reads the documents a batch
 * names before forwarding it; when an operation fails, it puts back what the
 * earlier operations changed and answers 207 with the failing operation's
 * status and 424 for all others ("all or nothing").
 *
 * @example
 * ```ts
 * const proxy = await startCosmosFaultProxy(cosmos.endpoint);
 * proxy.inject((req) => (req.operation === 'read' && req.container === 'sessions' ? throttle(100) : undefined), { times: 2 });
 * proxy.log.filter((entry) => entry.upstreamStatus === 412).length;
 * ```
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type CosmosOperation = 'account' | 'read' | 'create' | 'upsert' | 'replace' | 'delete' | 'patch' | 'query' | 'batch' | 'metadata' | 'other';

export interface CosmosRequest {
  method: string;
  path: string;
  operation: CosmosOperation;
  /** Container (collection) id, when the request targets documents. */
  container?: string;
  /** Document id: from the path, or from the body of a create/upsert. */
  docId?: string;
  /** A transactional batch's operations: kind and document id of each. */
  batch?: Array<{ operationType: string; id?: string }>;
  /** Replace/delete/patch with an `If-Match` ETag. */
  ifMatch?: string;
}

export type FaultAction =
  | { kind: 'respond'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset-before' }
  | { kind: 'reset-after' };

export interface LogEntry extends CosmosRequest {
  /** What the proxy did: `pass`, or the fault's kind. */
  action: 'pass' | FaultAction['kind'];
  /** The server's status when the request was forwarded and answered. */
  upstreamStatus?: number;
  /** What the client got, when it got an answer. */
  clientStatus?: number;
  startedAt: number;
  durationMs?: number;
}

export type FaultRule = (request: CosmosRequest) => FaultAction | undefined;

interface InstalledRule {
  rule: FaultRule;
  /** How many more times it may fire; Infinity for "until removed". */
  remaining: number;
}

export interface CosmosFaultProxy {
  url: string;
  readonly log: LogEntry[];
  /** Adds a fault rule, consulted in order; `times` limits how often it fires. Returns a remover. */
  inject(rule: FaultRule, options?: { times?: number }): () => void;
  /** Removes every rule: all traffic passes again. */
  clear(): void;
  /** Stops listening and resets open connections: "server down". */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
  count(filter: (entry: LogEntry) => boolean): number;
}

/** A Cosmos-shaped error answer, as the service sends it. */
export function cosmosError(status: number, code: string, headers: Record<string, string> = {}): FaultAction {
  return {
    kind: 'respond',
    status,
    headers: { 'content-type': 'application/json', 'x-ms-activity-id': '00000000-0000-0000-0000-000000000000', ...headers },
    body: JSON.stringify({ code, message: `Message: {"Errors":["${code} (injected by the fault proxy)"]}` }),
  };
}

/** 429 Too Many Requests with the service's retry hint. */
export const throttle = (retryAfterMs: number) =>
  cosmosError(429, 'TooManyRequests', { 'x-ms-retry-after-ms': String(retryAfterMs), 'x-ms-substatus': '3200' });
export const unavailable = () => cosmosError(503, 'ServiceUnavailable');
export const preconditionFailed = () => cosmosError(412, 'PreconditionFailed');

export function describeRequest(method: string, url: string, headers: IncomingMessage['headers'], body: string): CosmosRequest {
  const path = new URL(url, 'http://proxy').pathname;
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  const info: CosmosRequest = { method, path, operation: 'other' };
  const ifMatch = headers['if-match'];
  if (typeof ifMatch === 'string') info.ifMatch = ifMatch;
  if (segments.length === 0) {
    info.operation = 'account';
    return info;
  }
  const collsAt = segments.indexOf('colls');
  if (collsAt >= 0) info.container = segments[collsAt + 1];
  const docsAt = segments.indexOf('docs');
  if (docsAt < 0) {
    info.operation = 'metadata';
    return info;
  }
  info.docId = segments[docsAt + 1];
  if (method === 'GET') info.operation = info.docId ? 'read' : 'query';
  else if (method === 'PUT') info.operation = 'replace';
  else if (method === 'DELETE') info.operation = 'delete';
  else if (method === 'PATCH') info.operation = 'patch';
  else if (method === 'POST') {
    if (String(headers['x-ms-documentdb-isquery'] ?? '').toLowerCase() === 'true' || String(headers['content-type'] ?? '').includes('query+json')) {
      info.operation = 'query';
    } else if (String(headers['x-ms-cosmos-is-batch-request'] ?? '').toLowerCase() === 'true') {
      info.operation = 'batch';
      info.batch = batchOperations(body);
    } else {
      info.operation = String(headers['x-ms-documentdb-is-upsert'] ?? '').toLowerCase() === 'true' ? 'upsert' : 'create';
      try {
        const id = (JSON.parse(body) as { id?: unknown }).id;
        if (typeof id === 'string') info.docId = id;
      } catch {
        // not JSON: leave the id unknown
      }
    }
  }
  return info;
}

interface BatchOperation {
  operationType: string;
  id?: string;
  resourceBody?: { id?: string };
}

function parseBatch(body: string): BatchOperation[] {
  try {
    const value: unknown = JSON.parse(body);
    return Array.isArray(value) ? (value as BatchOperation[]) : [];
  } catch {
    return [];
  }
}

function batchOperations(body: string): Array<{ operationType: string; id?: string }> {
  return parseBatch(body).map((operation) => ({ operationType: operation.operationType, id: operation.id ?? operation.resourceBody?.id }));
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export async function startCosmosFaultProxy(target: string, options: { atomicBatches?: boolean } = {}): Promise<CosmosFaultProxy> {
  const upstream = new URL(target);
  const rules: InstalledRule[] = [];
  const log: LogEntry[] = [];
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const decide = (request: CosmosRequest): FaultAction | undefined => {
    for (const installed of rules) {
      if (installed.remaining <= 0) continue;
      const action = installed.rule(request);
      if (action) {
        installed.remaining -= 1;
        return action;
      }
    }
    return undefined;
  };

  const send = (method: string, path: string, incomingHeaders: IncomingMessage['headers'], body: Buffer | string) =>
    new Promise<Answer>((resolve, reject) => {
      const headers = { ...incomingHeaders, host: upstream.host, 'content-length': String(Buffer.byteLength(body)) };
      const outgoing = httpRequest({ host: upstream.hostname, port: upstream.port, method, path, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const forward = (incoming: IncomingMessage, body: Buffer) => send(incoming.method ?? 'GET', incoming.url ?? '/', incoming.headers, body);

  /** A batch, all or nothing: see the module's description. The local server needs no signature, so the proxy reads and writes freely. */
  const forwardAtomically = async (incoming: IncomingMessage, body: Buffer): Promise<Answer> => {
    const docs = (incoming.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    const partition = { 'x-ms-documentdb-partitionkey': String(incoming.headers['x-ms-documentdb-partitionkey'] ?? '[]'), 'x-ms-version': '2020-07-15' };
    const operations = parseBatch(body.toString('utf8'));
    const before = await Promise.all(
      operations.map(async (operation) => {
        const id = operation.id ?? operation.resourceBody?.id;
        if (!id) return undefined;
        // The header the SDK's own reads carry; without it the local server fails (500) on a missing document.
        const read = await send('GET', `${docs}/${encodeURIComponent(id)}`, { ...partition, 'x-ms-documentdb-query-enablecrosspartition': 'true' }, '');
        return { id, document: read.status === 200 ? read.body.toString('utf8') : undefined };
      }),
    );
    const answer = await forward(incoming, body);
    if (answer.status >= 400) return answer;
    const results = JSON.parse(answer.body.toString('utf8')) as Array<{ statusCode: number }>;
    const failed = results.findIndex((result) => result.statusCode >= 400 && result.statusCode !== 424);
    if (failed < 0) return answer;
    for (const [index, result] of results.entries()) {
      const image = before[index];
      if (result.statusCode >= 400 || !image) continue;
      if (image.document) await send('POST', docs, { ...partition, 'x-ms-documentdb-is-upsert': 'true', 'content-type': 'application/json' }, image.document);
      else await send('DELETE', `${docs}/${encodeURIComponent(image.id)}`, partition, '');
    }
    const rolledBack = results.map((result, index) => (index === failed ? { statusCode: result.statusCode, requestCharge: 0 } : { statusCode: 424, requestCharge: 0 }));
    return { status: 207, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(rolledBack)) };
  };

  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const info = describeRequest(incoming.method ?? 'GET', incoming.url ?? '/', incoming.headers, body.toString('utf8'));
    const action = decide(info);
    const entry: LogEntry = { ...info, action: action?.kind ?? 'pass', startedAt: Date.now() };
    log.push(entry);
    const finish = () => {
      entry.durationMs = Date.now() - entry.startedAt;
    };

    if (action?.kind === 'respond') {
      outgoing.writeHead(action.status, action.headers ?? {});
      outgoing.end(action.body ?? '');
      entry.clientStatus = action.status;
      return finish();
    }
    if (action?.kind === 'reset-before') {
      incoming.socket.resetAndDestroy();
      return finish();
    }
    if (action?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, action.ms));
    let answer: Answer;
    try {
      answer = options.atomicBatches && info.operation === 'batch' ? await forwardAtomically(incoming, body) : await forward(incoming, body);
    } catch {
      incoming.socket.resetAndDestroy();
      return finish();
    }
    entry.upstreamStatus = answer.status;
    if (action?.kind === 'reset-after') {
      incoming.socket.resetAndDestroy();
      return finish();
    }
    if (outgoing.destroyed || incoming.socket.destroyed) return finish(); // the client gave up (its timeout)
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    headers['content-length'] = String(answer.body.length);
    outgoing.writeHead(answer.status, headers);
    outgoing.end(answer.body);
    entry.clientStatus = answer.status;
    finish();
  };

  const listen = async () => {
    if (server) return; // already up
    server = createServer((incoming, outgoing) => {
      handle(incoming, outgoing).catch(() => incoming.socket.destroy());
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  };
  const down = async () => {
    for (const socket of sockets) socket.resetAndDestroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  };

  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    inject(rule, options = {}) {
      const installed = { rule, remaining: options.times ?? Number.POSITIVE_INFINITY };
      rules.push(installed);
      return () => {
        const at = rules.indexOf(installed);
        if (at >= 0) rules.splice(at, 1);
      };
    },
    clear() {
      rules.length = 0;
    },
    down,
    up: listen,
    close: down,
    count: (filter) => log.filter(filter).length,
  };
}
