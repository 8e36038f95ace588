import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { ErrorResponse, type Container, type OperationInput } from '@azure/cosmos';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cosmosCall, cosmosStatus, deleteIfPresent, INDEXING_POLICY, openSessionsContainer, PARTITION_KEY_PATH, transactionalBatch } from '../../src/lib/cosmos';
import { AppError } from '../../src/lib/errors';
import { cosmosError, startCosmosFaultProxy, unavailable, type CosmosFaultProxy } from '../helpers/cosmos-fault-proxy';
import { startCosmos, type LocalCosmos } from '../helpers/cosmos-server';
import { startLocalContainer, type LocalContainer } from '../helpers/local-container';

/** Runs `operation` through cosmosCall and returns what it threw, with the error the operation itself threw. */
async function failureOf<T>(operation: () => Promise<T>): Promise<{ thrown: unknown; original: unknown }> {
  let original: unknown;
  const thrown: unknown = await cosmosCall('do the thing', async () => {
    try {
      return await operation();
    } catch (error) {
      original = error;
      throw error;
    }
  }).then(
    () => new Error('the operation succeeded'),
    (reason: unknown) => reason,
  );
  return { thrown, original };
}

describe('openSessionsContainer on a local Cosmos DB API', () => {
  let local: LocalContainer;
  beforeAll(async () => {
    local = await startLocalContainer('cosmos-test');
  });
  afterAll(() => local?.stop());

  const pk = () => `user-${randomUUID()}`;

  it('creates the one container, partitioned by the user key, indexing only what is queried', async () => {
    const { resource } = await local.container.read();
    expect(resource?.id).toBe('sessions');
    expect(resource?.partitionKey?.paths).toEqual([PARTITION_KEY_PATH]);
    expect(PARTITION_KEY_PATH).toBe('/userKey');
    expect(resource?.indexingPolicy).toMatchObject({ includedPaths: INDEXING_POLICY.includedPaths, excludedPaths: INDEXING_POLICY.excludedPaths });
  });

  it('opening again is harmless (createIfNotExists) and sees the same data', async () => {
    const id = randomUUID();
    const userKey = pk();
    await local.container.items.create({ id, userKey, value: 1 });
    const again = await openSessionsContainer(local.settings);
    const { resource } = await again.item(id, userKey).read<{ value: number }>();
    expect(resource?.value).toBe(1);
  });

  it('passes 409 through unchanged', async () => {
    const id = randomUUID();
    const userKey = pk();
    await local.container.items.create({ id, userKey });
    const { thrown, original } = await failureOf(() => local.container.items.create({ id, userKey }));
    expect(thrown).toBe(original);
    expect(cosmosStatus(thrown)).toBe(409);
  });

  it('passes 404 through unchanged', async () => {
    const id = randomUUID();
    const { thrown, original } = await failureOf(() => local.container.item(id, pk()).delete());
    expect(thrown).toBe(original);
    expect(cosmosStatus(thrown)).toBe(404);
    const replaced = await failureOf(() => local.container.item(id, pk()).replace({ id }));
    expect(replaced.thrown).toBe(replaced.original);
    expect(cosmosStatus(replaced.thrown)).toBe(404);
  });

  it('passes 412 through unchanged', async () => {
    const id = randomUUID();
    const userKey = pk();
    const { resource: created } = await local.container.items.create({ id, userKey, n: 1 });
    await local.container.item(id, userKey).replace({ id, userKey, n: 2 });
    const { thrown, original } = await failureOf(() =>
      local.container.item(id, userKey).replace({ id, userKey, n: 3 }, { accessCondition: { type: 'IfMatch', condition: created!._etag } }),
    );
    expect(thrown).toBe(original);
    expect(cosmosStatus(thrown)).toBe(412);
  });

  it('returns the result of a successful operation', async () => {
    const id = randomUUID();
    const { resource } = await cosmosCall('create', () => local.container.items.create({ id, userKey: pk() }));
    expect(resource?.id).toBe(id);
  });

  it('deleteIfPresent says whether the document was there, and a missing one is no error', async () => {
    const id = randomUUID();
    const userKey = pk();
    await local.container.items.create({ id, userKey });
    expect(await deleteIfPresent(local.container, id, userKey, 'delete')).toBe(true);
    expect(await deleteIfPresent(local.container, id, userKey, 'delete')).toBe(false);
  });
});

describe('transactionalBatch', () => {
  let cosmos: LocalCosmos;
  let proxy: CosmosFaultProxy;
  let atomic: CosmosFaultProxy;
  let direct: Container;
  let throughProxy: Container;
  let throughAtomic: Container;
  beforeAll(async () => {
    cosmos = await startCosmos();
    proxy = await startCosmosFaultProxy(cosmos.endpoint);
    atomic = await startCosmosFaultProxy(cosmos.endpoint, { atomicBatches: true });
    const settings = { endpoint: cosmos.endpoint, key: cosmos.key, database: `batch-${randomUUID()}`, sessionsContainer: 'sessions', createIfMissing: true };
    direct = await openSessionsContainer(settings);
    throughProxy = await openSessionsContainer({ ...settings, endpoint: proxy.url });
    throughAtomic = await openSessionsContainer({ ...settings, endpoint: atomic.url });
  });
  afterAll(async () => {
    await atomic?.close();
    await proxy?.close();
    await cosmos?.close();
  });
  afterEach(() => proxy.clear());

  const exists = async (id: string, userKey: string) => (await direct.item(id, userKey).read()).resource !== undefined;
  const create = (id: string, userKey: string): OperationInput => ({ operationType: 'Create', partitionKey: userKey, resourceBody: { id, userKey } });

  it('runs every operation in one partition and gives each status', async () => {
    const userKey = `user-${randomUUID()}`;
    const outcome = await transactionalBatch(direct, userKey, [create('a', userKey), create('b', userKey)], 'save');
    expect(outcome).toEqual({ statuses: [201, 201] });
    expect(await exists('a', userKey)).toBe(true);
    expect(await exists('b', userKey)).toBe(true);
  });

  it("reads a failure from the operations' statuses even when the batch answers 200 (as the local server does)", async () => {
    const userKey = `user-${randomUUID()}`;
    await direct.items.create({ id: 'taken', userKey });
    const outcome = await transactionalBatch(direct, userKey, [create('fresh', userKey), create('taken', userKey)], 'save');
    expect(outcome.failure).toBe(409);
    expect(outcome.statuses).toEqual([201, 409]);
    // The local Cosmos DB API does not roll back: the first create stays. Cosmos DB would have kept nothing (below).
    expect(await exists('fresh', userKey)).toBe(true);
  });

  it('is all or nothing where the server behaves as Cosmos DB documents (the proxy rolls back, 207, 424 for the rest)', async () => {
    const userKey = `user-${randomUUID()}`;
    await direct.items.create({ id: 'taken', userKey });
    await direct.items.create({ id: 'kept', userKey, n: 1 });
    const operations: OperationInput[] = [create('fresh', userKey), { operationType: 'Delete', id: 'kept', partitionKey: userKey }, create('taken', userKey)];
    const outcome = await transactionalBatch(throughAtomic, userKey, operations, 'save');
    expect(outcome).toEqual({ statuses: [424, 424, 409], failure: 409 });
    expect(await exists('fresh', userKey)).toBe(false);
    expect((await direct.item('kept', userKey).read<{ n: number }>()).resource?.n).toBe(1);
  });

  it('reads a batch refused as a whole as an outage: the SDK drops its status ("Batch request error")', async () => {
    const userKey = `user-${randomUUID()}`;
    proxy.inject((request) => (request.operation === 'batch' ? cosmosError(409, 'Conflict') : undefined), { times: 1 });
    const thrown: unknown = await transactionalBatch(throughProxy, userKey, [create('x', userKey)], 'save').catch((error: unknown) => error);
    expect(thrown).toMatchObject({ code: 'store_unavailable', status: 503, extra: { reason: 'cosmos:Error' } });
  });

  it('turns a throttled or unavailable operation into 503 store_unavailable', async () => {
    const userKey = `user-${randomUUID()}`;
    proxy.inject((request) => (request.operation === 'batch' ? unavailable() : undefined));
    const thrown: unknown = await transactionalBatch(throughProxy, userKey, [create('y', userKey)], 'save your session').catch((error: unknown) => error);
    expect(thrown).toMatchObject({ code: 'store_unavailable', status: 503 });
  });
});

describe('cosmosCall when the store cannot be reached', () => {
  it(
    'answers 503 store_unavailable with Retry-After >= 1 for a closed port, within seconds',
    async () => {
      const cosmos = await startCosmos();
      const settings = {
        endpoint: cosmos.endpoint,
        key: cosmos.key,
        database: `cosmos-closed-${randomUUID()}`,
        sessionsContainer: 'sessions',
        createIfMissing: true,
      };
      const sessions = await openSessionsContainer(settings);
      await cosmos.close();

      const started = Date.now();
      const { thrown, original } = await failureOf(() => sessions.item('x', 'x').read());
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(thrown).toBeInstanceOf(AppError);
      expect(thrown).toMatchObject({ code: 'store_unavailable', status: 503 });
      expect((thrown as AppError).extra.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((thrown as AppError).detail).toContain('do the thing');
      expect((thrown as AppError).detail).not.toContain(cosmos.endpoint);
      expect(cosmosStatus(original)).toBeUndefined();

      // openSessionsContainer itself, with createIfMissing, turns the outage into the same 503.
      const opening: unknown = await openSessionsContainer({ ...settings, database: `cosmos-closed-${randomUUID()}` }).catch((e: unknown) => e);
      expect(opening).toBeInstanceOf(AppError);
      expect(opening).toMatchObject({ code: 'store_unavailable', status: 503 });
    },
    30_000,
  );

  it(
    'answers 503 store_unavailable within the 5 s request timeout when the server accepts but never answers',
    async () => {
      const sockets: Socket[] = [];
      const silent = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = silent.address() as AddressInfo;
        const sessions = await openSessionsContainer({
          endpoint: `http://127.0.0.1:${port}`,
          key: Buffer.from('k').toString('base64'),
          database: 'never',
          sessionsContainer: 'sessions',
          createIfMissing: false,
        });
        const started = Date.now();
        const { thrown } = await failureOf(() => sessions.item('x', 'x').read());
        const elapsed = Date.now() - started;
        expect(thrown).toMatchObject({ code: 'store_unavailable', status: 503 });
        expect((thrown as AppError).extra.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(elapsed).toBeGreaterThanOrEqual(4_000);
        expect(elapsed).toBeLessThan(15_000);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    },
    30_000,
  );
});

describe('cosmosCall error mapping', () => {
  const cosmosError = (code: number, retryAfterInMs?: number) =>
    Object.assign(new ErrorResponse(`status ${code}`), { code, ...(retryAfterInMs === undefined ? {} : { retryAfterInMs }) });

  it.each([408, 429, 449, 500, 502, 503, 504])('maps transient status %i to 503 store_unavailable', async (code) => {
    const { thrown } = await failureOf(() => Promise.reject(cosmosError(code)));
    expect(thrown).toMatchObject({ code: 'store_unavailable', status: 503 });
  });

  it("rounds the SDK's retryAfterInMs up to whole seconds, at least 1", async () => {
    expect(((await failureOf(() => Promise.reject(cosmosError(429, 2500)))).thrown as AppError).extra.retryAfterSeconds).toBe(3);
    expect(((await failureOf(() => Promise.reject(cosmosError(429, 10)))).thrown as AppError).extra.retryAfterSeconds).toBe(1);
    expect(((await failureOf(() => Promise.reject(cosmosError(503)))).thrown as AppError).extra.retryAfterSeconds).toBe(1);
  });

  it.each([400, 401, 403, 404, 409, 412, 413])('passes status %i through', async (code) => {
    const error = cosmosError(code);
    const { thrown } = await failureOf(() => Promise.reject(error));
    expect(thrown).toBe(error);
  });

  it('maps failures without an HTTP status (network, timeouts, the SDK choking on a gateway page) to 503', async () => {
    const garbage = new SyntaxError('Unexpected token \'<\', "<html>bad "... is not valid JSON');
    expect((await failureOf(() => Promise.reject(garbage))).thrown).toMatchObject({ code: 'store_unavailable', status: 503 });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect((await failureOf(() => Promise.reject(refused))).thrown).toMatchObject({ code: 'store_unavailable' });
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    expect((await failureOf(() => Promise.reject(timeout))).thrown).toMatchObject({ code: 'store_unavailable' });
  });
});

describe('cosmosCall and other network faults', () => {
  // The SDK reports an unreachable host or network as a RestError with the errno code, as it does ECONNREFUSED.
  it.each(['EHOSTUNREACH', 'ENETUNREACH'])('maps a RestError with code %s to 503 store_unavailable', async (code) => {
    const fault = Object.assign(new Error(`connect ${code} 10.1.2.3:443`), { name: 'RestError', code });
    const { thrown } = await failureOf(() => Promise.reject(fault));
    expect(thrown).toMatchObject({ code: 'store_unavailable', status: 503 });
  });
});

describe('cosmosStatus', () => {
  it('reads the status of Cosmos errors and nothing else', () => {
    expect(cosmosStatus(Object.assign(new ErrorResponse('x'), { code: 412 }))).toBe(412);
    expect(cosmosStatus({ code: 404 })).toBe(404);
    expect(cosmosStatus({ code: 'ECONNREFUSED' })).toBeUndefined();
    expect(cosmosStatus(new Error('x'))).toBeUndefined();
    expect(cosmosStatus(undefined)).toBeUndefined();
  });
});
