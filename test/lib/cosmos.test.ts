import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { ErrorResponse } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosmosCall, cosmosStatus, openContainers, PARTITION_KEY_PATH } from '../../src/lib/cosmos';
import { AppError } from '../../src/lib/errors';
import { startCosmos } from '../helpers/cosmos-server';
import { startLocalContainers, type LocalContainers } from '../helpers/local-containers';

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

describe('openContainers on a local Cosmos DB API', () => {
  let local: LocalContainers;
  beforeAll(async () => {
    local = await startLocalContainers('cosmos-test');
  });
  afterAll(() => local?.stop());

  it('creates both containers partitioned by /id', async () => {
    const [sessions, tokenCache] = await Promise.all([local.sessions.read(), local.tokenCache.read()]);
    expect(sessions.resource?.id).toBe('sessions');
    expect(tokenCache.resource?.id).toBe('tokenCache');
    expect(sessions.resource?.partitionKey?.paths).toEqual([PARTITION_KEY_PATH]);
    expect(tokenCache.resource?.partitionKey?.paths).toEqual([PARTITION_KEY_PATH]);
  });

  it('opening again is harmless (createIfNotExists) and sees the same data', async () => {
    const id = randomUUID();
    await local.sessions.items.create({ id, value: 1 });
    const again = await openContainers(local.settings);
    const { resource } = await again.sessions.item(id, id).read<{ value: number }>();
    expect(resource?.value).toBe(1);
  });

  it('passes 409 through unchanged', async () => {
    const id = randomUUID();
    await local.sessions.items.create({ id });
    const { thrown, original } = await failureOf(() => local.sessions.items.create({ id }));
    expect(thrown).toBe(original);
    expect(cosmosStatus(thrown)).toBe(409);
  });

  it('passes 404 through unchanged', async () => {
    const id = randomUUID();
    const { thrown, original } = await failureOf(() => local.sessions.item(id, id).delete());
    expect(thrown).toBe(original);
    expect(cosmosStatus(thrown)).toBe(404);
    const replaced = await failureOf(() => local.sessions.item(id, id).replace({ id }));
    expect(replaced.thrown).toBe(replaced.original);
    expect(cosmosStatus(replaced.thrown)).toBe(404);
  });

  it('passes 412 through unchanged', async () => {
    const id = randomUUID();
    const { resource: created } = await local.sessions.items.create({ id, n: 1 });
    await local.sessions.item(id, id).replace({ id, n: 2 });
    const { thrown, original } = await failureOf(() =>
      local.sessions.item(id, id).replace({ id, n: 3 }, { accessCondition: { type: 'IfMatch', condition: created!._etag } }),
    );
    expect(thrown).toBe(original);
    expect(cosmosStatus(thrown)).toBe(412);
  });

  it('returns the result of a successful operation', async () => {
    const id = randomUUID();
    const { resource } = await cosmosCall('create', () => local.sessions.items.create({ id }));
    expect(resource?.id).toBe(id);
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
        tokenCacheContainer: 'tokenCache',
        createIfMissing: true,
      };
      const { sessions } = await openContainers(settings);
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

      // openContainers itself, with createIfMissing, turns the outage into the same 503.
      const opening: unknown = await openContainers({ ...settings, database: `cosmos-closed-${randomUUID()}` }).catch((e: unknown) => e);
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
        const { sessions } = await openContainers({
          endpoint: `http://127.0.0.1:${port}`,
          key: Buffer.from('k').toString('base64'),
          database: 'never',
          sessionsContainer: 'sessions',
          tokenCacheContainer: 'tokenCache',
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
