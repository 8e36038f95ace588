/**
 * The Cosmos DB client and the sessions container, and how Cosmos failures
 * reach callers.
 *
 * One client per instance, held by the runtime. Key auth when
 * `COSMOS_KEY` is set (local servers, the emulator); otherwise Microsoft Entra
 * auth through `DefaultAzureCredential`, which picks up the app's managed
 * identity from `AZURE_CLIENT_ID`. One container holds every user's sessions
 * and token caches, partitioned by the user key (see `session/documents.ts`).
 *
 * @example
 * ```ts
 * const sessions = await openSessionsContainer(config.cosmos);
 * const value = await cosmosCall('read the session', () => sessions.item(id, userKey).read());
 * ```
 */
import type { Container, CosmosClient, IndexingPolicy, OperationInput } from '@azure/cosmos';
import type { AppConfig } from './config';
import { AppError, notSetUp } from './errors';

/** A user's sessions and token caches share one logical partition. */
export const PARTITION_KEY_PATH = '/userKey';

/**
 * Only what is queried is indexed: the document kind (listing a user's
 * sessions) and the `sid` hash (front-channel logout, across partitions).
 * Everything else, claims and MSAL caches included, stays out of the index,
 * which keeps each write at the minimum RU charge. Not indexingMode 'none':
 * Cosmos DB refuses TTL on a container without indexing. infra/ declares the
 * same policy (test/infra keeps them in step).
 */
export const INDEXING_POLICY = {
  indexingMode: 'consistent',
  automatic: true,
  includedPaths: [{ path: '/type/?' }, { path: '/sidHash/?' }],
  excludedPaths: [{ path: '/*' }],
} as const satisfies IndexingPolicy;

/** The client for these settings; one per instance, shared by every container it opens. */
export async function createCosmosClient(settings: AppConfig['cosmos']): Promise<CosmosClient> {
  // Loaded on first use, not at start-up: the SDK takes about 200 ms to load, and /api/login never needs it.
  const { CosmosClient } = await import('@azure/cosmos');
  const credentials = settings.key
    ? { key: settings.key }
    : { aadCredentials: new (await import('@azure/identity')).DefaultAzureCredential() };
  return new CosmosClient({
    endpoint: settings.endpoint,
    ...credentials,
    connectionPolicy: {
      // A user waits on every call: fail within seconds and answer 503 rather than hold the request for the SDK's 30 s default.
      requestTimeout: 5000,
      retryOptions: { maxRetryAttemptCount: 3, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 5 },
      // The account is single-region (infra/). With discovery on, the SDK answers a slow or failed send with
      // up to 120 endpoint-discovery retries a second apart: minutes, not the seconds a user can wait.
      enableEndpointDiscovery: false,
    },
  });
}

/**
 * The sessions container, created first (with its database) where
 * `COSMOS_CREATE_IF_MISSING` is on. Pass the instance's client to share its
 * connections; without one, a client of its own is made.
 */
export async function openSessionsContainer(settings: AppConfig['cosmos'], shared?: CosmosClient): Promise<Container> {
  const client = shared ?? (await createCosmosClient(settings));
  if (settings.createIfMissing) {
    await cosmosCall('create the database', async () => {
      const { database: created } = await client.databases.createIfNotExists({ id: settings.database });
      await created.containers.createIfNotExists({
        id: settings.sessionsContainer,
        partitionKey: { paths: [PARTITION_KEY_PATH] },
        defaultTtl: -1,
        indexingPolicy: { ...INDEXING_POLICY, includedPaths: [...INDEXING_POLICY.includedPaths], excludedPaths: [...INDEXING_POLICY.excludedPaths] },
      });
    });
  }
  return sessionsContainerOf(client, settings);
}

/** The sessions container as it is: no call is made and nothing is created (the health check reads through it). */
export function sessionsContainerOf(client: CosmosClient, settings: AppConfig['cosmos']): Container {
  return client.database(settings.database).container(settings.sessionsContainer);
}

/** A Cosmos status code, or undefined for network faults. */
export function cosmosStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  const status = statusCode ?? code;
  return typeof status === 'number' ? status : undefined;
}

const TRANSIENT_STATUS = new Set([408, 429, 449, 500, 502, 503, 504]);

/**
 * Runs one Cosmos operation. Throttling, timeouts and outages (after the
 * SDK's own bounded retries) become a 503 with `Retry-After`. So does any
 * failure that carries no HTTP status at all: network faults, timeouts, and
 * the SDK's own TypeError/SyntaxError when something other than Cosmos (a
 * gateway, an outage page) answers. Errors with a status are passed on for
 * the caller (404, 409 and 412 mean something to the session module; 401 or 403 mean
 * the app's identity lacks its role: see {@link identityRefused}).
 */
export async function cosmosCall<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const status = cosmosStatus(error);
    if (status === undefined || TRANSIENT_STATUS.has(status)) {
      const retryAfterMs = Number((error as { retryAfterInMs?: unknown }).retryAfterInMs) || 0;
      throw new AppError('store_unavailable', {
        detail: `We could not ${what} because our session store is busy or unreachable. Please try again in a moment.`,
        retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
        reason: `cosmos:${status ?? errorKind(error)}`,
      });
    }
    throw error;
  }
}

/** A short, safe label for the log: an errno-style code or the error's class name. */
function errorKind(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Za-z_]{1,32}$/.test(code)) return code;
  return error instanceof Error ? error.name : 'unknown';
}

/**
 * 401 or 403 from Cosmos DB: a setup mistake, not an outage. The app's
 * managed identity lacks its data role (infra/ assigns the built-in
 * Cosmos DB Data Contributor), or `COSMOS_KEY` is wrong.
 */
export function identityRefused(status: 401 | 403): AppError {
  return notSetUp(
    'misconfigured',
    `the session store refused the app's identity (status ${status}). Give the app's identity the Cosmos DB Built-in Data Contributor role on the account, or check COSMOS_KEY.`,
    { reason: `cosmos:${status}`, setting: 'COSMOS_KEY' },
  );
}

/** Deletes one document; one that is already gone counts as deleted. True when it was there. */
export async function deleteIfPresent(container: Container, id: string, partitionKey: string, what: string): Promise<boolean> {
  try {
    await cosmosCall(what, () => container.item(id, partitionKey).delete());
    return true;
  } catch (error) {
    if (cosmosStatus(error) !== 404) throw error;
    return false;
  }
}

/** At most this many operations per transactional batch (a Cosmos DB limit). */
export const MAX_BATCH_OPERATIONS = 100;

/**
 * The per-operation statuses of one transactional batch (all operations in
 * one partition, all or nothing), and, when it failed, the status that failed
 * it. Every operation's status is checked, whatever the batch's own status
 * says: Cosmos DB answers a failed batch with the failing operation's status
 * and 424 for the rest, but servers that imitate it may answer 200 and keep
 * what ran before the failure. Outages become a 503 as in {@link cosmosCall}.
 *
 * The SDK reports a batch refused as a whole without its status (`Batch
 * request error`), so a missing data role would read as an outage. Such a
 * failure is followed by one point read of a document that does not exist
 * (404, one request unit), whose status the SDK keeps: 401 or 403 there is
 * the setup mistake ({@link identityRefused}); anything else leaves the 503.
 */
export async function transactionalBatch(
  container: Container,
  partitionKey: string,
  operations: OperationInput[],
  what: string,
): Promise<{ statuses: number[]; failure?: number }> {
  let response: Awaited<ReturnType<Container['items']['batch']>>;
  try {
    response = await cosmosCall(what, () => container.items.batch(operations, partitionKey));
  } catch (error) {
    if (error instanceof AppError && error.code === 'store_unavailable') throw (await refusedIdentity(container, partitionKey)) ?? error;
    throw error;
  }
  const { result: results = [] } = response;
  const statuses = operations.map((_, index) => results[index]?.statusCode ?? 424);
  const failed = statuses.find((status) => status >= 400 && status !== 424) ?? statuses.find((status) => status >= 400);
  if (failed !== undefined && TRANSIENT_STATUS.has(failed)) {
    throw new AppError('store_unavailable', {
      detail: `We could not ${what} because our session store is busy. Please try again in a moment.`,
      reason: `cosmos:batch:${failed}`,
    });
  }
  return failed === undefined ? { statuses } : { statuses, failure: failed };
}

/** A refusal answers at once; an outage must not hold the caller twice as long. */
const ACCESS_CHECK_TIMEOUT_MS = 2000;

/** `identityRefused` when a point read in the partition answers 401 or 403; otherwise undefined (found, missing, or failed another way). */
async function refusedIdentity(container: Container, partitionKey: string): Promise<AppError | undefined> {
  try {
    await container.item('access-check', partitionKey).read({ abortSignal: AbortSignal.timeout(ACCESS_CHECK_TIMEOUT_MS) });
    return undefined;
  } catch (error) {
    const status = cosmosStatus(error);
    return status === 401 || status === 403 ? identityRefused(status) : undefined;
  }
}
