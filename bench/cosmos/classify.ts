/**
 * What one Cosmos DB REST request is, from its method, path and headers alone
 * (https://learn.microsoft.com/rest/api/cosmos-db/): the classes the README's
 * "How it works" talks about. Pure, so the counting proxy stays dumb.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type CosmosOperation = 'pointRead' | 'write' | 'delete' | 'batch' | 'query' | 'queryPlan' | 'metadata';
export const OPERATIONS: readonly CosmosOperation[] = ['pointRead', 'write', 'delete', 'batch', 'query', 'queryPlan', 'metadata'];

export interface Classified {
  operation: CosmosOperation;
  /** Finer name: create, upsert, replace, patch, batch, query (one partition / cross-partition / plan), readFeed, … */
  detail: string;
  /** `db/container`, or `db`, or `-` for the account itself. */
  container: string;
}

const DOCS_PATH = /^\/dbs\/([^/]+)\/colls\/([^/]+)\/docs(?:\/([^/]+))?\/?$/;

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).toLowerCase();
}

export function classifyCosmosRequest(method: string, url: string, headers: IncomingHttpHeaders): Classified {
  const path = decodeURIComponent(new URL(url, 'http://cosmos').pathname);
  const match = DOCS_PATH.exec(path);
  if (!match) {
    // Databases, containers, partition key ranges, the account itself: what the SDK reads to find its way.
    const scope = /^\/dbs\/([^/]+)(?:\/colls\/([^/]+))?/.exec(path);
    const container = scope ? [scope[1], scope[2]].filter(Boolean).join('/') : '-';
    return { operation: 'metadata', detail: `${method} ${path.replace(/\/(dbs|colls|pkranges)\/[^/]+/g, '/$1/{id}')}`, container };
  }
  const container = `${match[1]}/${match[2]}`;
  const hasId = match[3] !== undefined;
  if (hasId) {
    if (method === 'GET') return { operation: 'pointRead', detail: 'read', container };
    if (method === 'PUT') return { operation: 'write', detail: 'replace', container };
    if (method === 'PATCH') return { operation: 'write', detail: 'patch', container };
    if (method === 'DELETE') return { operation: 'delete', detail: 'delete', container };
  } else if (method === 'POST') {
    // The JavaScript SDK asks the gateway how to run each query, beside the query itself; it reads no documents.
    if (header(headers, 'x-ms-cosmos-is-query-plan-request') === 'true') return { operation: 'queryPlan', detail: 'query plan', container };
    if (header(headers, 'x-ms-documentdb-isquery') === 'true' || header(headers, 'content-type').startsWith('application/query+json')) {
      // A query the SDK sends with a partition key stays in that one logical partition.
      const scope = header(headers, 'x-ms-documentdb-partitionkey') ? 'one partition' : 'cross-partition';
      return { operation: 'query', detail: `query (${scope})`, container };
    }
    // A transactional batch: up to 100 operations of one partition in one request, all or nothing.
    if (header(headers, 'x-ms-cosmos-is-batch-request') === 'true') return { operation: 'batch', detail: 'batch', container };
    if (header(headers, 'x-ms-documentdb-is-upsert') === 'true') return { operation: 'write', detail: 'upsert', container };
    return { operation: 'write', detail: 'create', container };
  } else if (method === 'GET') {
    return { operation: 'query', detail: 'readFeed', container };
  }
  return { operation: 'metadata', detail: `${method} docs`, container };
}
