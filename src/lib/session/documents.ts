/**
 * A session's documents in Cosmos DB, and every call the session module
 * makes to read, write or remove them.
 *
 * One container holds everything. Its partition key is the user key, so a
 * user's sessions and their token caches live in one logical partition, told
 * apart by `type`:
 *
 * | document | id | holds |
 * | --- | --- | --- |
 * | session | hash of the cookie's secret | claims, clocks, device, `sid` hash |
 * | token cache | `<session id>.tokens` | MSAL's serialized cache |
 *
 * What each call costs is what the README's Cosmos table states: a point
 * read to resume, one transactional batch to begin, one single-partition
 * query to list or end all of a user's sessions (then batches of up to 100
 * deletes), and one cross-partition query on the indexed `sid` hash for
 * front-channel logout.
 *
 * Tested by test/lib/session/sessions.test.ts.
 *
 * @example
 * ```ts
 * const documents = new SessionDocuments(() => openSessionsContainer(settings));
 * const session = await documents.read({ userKey, id });
 * const all = await documents.partition(userKey);
 * await documents.remove(userKey, all.map((doc) => doc.id));
 * ```
 */
import type { Container, JSONObject, OperationInput } from '@azure/cosmos';
import { cosmosCall, cosmosStatus, deleteIfPresent, MAX_BATCH_OPERATIONS, transactionalBatch } from '../cosmos';
import { AppError } from '../errors';
import type { SessionRef } from './cookie';
import type { TokenCacheDocument } from './token-cache';

export interface SessionDocument {
  /** The hash of the session secret (see `ids.ts`). */
  id: string;
  userKey: string;
  type: 'session';
  /** How the session began: browser sign-in is the only way (a bearer caller has no session). */
  createdWith: 'browser';
  /** MSAL's account key (`<oid>.<tid>`), used to find the account in the token cache. */
  homeAccountId: string;
  /** The verified ID token claims. */
  claims: Record<string, unknown>;
  /** Kept only when the token has no `login_hint`: then it is the only way to name the account at sign-out. */
  idToken?: string;
  /** "Chrome on Windows": see `device.ts`. */
  device: string;
  /** Hash of Entra's `sid` claim, when the token had one (front-channel logout finds sessions by it). */
  sidHash?: string;
  /** Seconds since the epoch. */
  createdAt: number;
  /** Moved by the idle clock, at most every few minutes. */
  lastSeenAt: number;
  /** The absolute end. */
  expiresAt: number;
  /** Cosmos time-to-live in seconds, counted from the last write. */
  ttl: number;
  _etag?: string;
}

/** What a listing reads of each document in a partition; token caches carry only `id` and `type`. */
export type PartitionEntry =
  | (Pick<SessionDocument, 'id' | 'type' | 'createdAt' | 'lastSeenAt' | 'expiresAt' | 'device'> & { _etag?: string })
  | Pick<TokenCacheDocument, 'id' | 'type'>;

/** A session id that exists already: the sign-in that minted it was replayed. */
function signInAlreadyCompleted(): AppError {
  return new AppError('transaction_reused');
}

export class SessionDocuments {
  constructor(private readonly container: () => Promise<Container>) {}

  /**
   * The session and its token cache, both or neither, in one transactional
   * batch (one round trip). An id that exists already fails the batch: the
   * sign-in was replayed. When the outcome is unknown (the connection broke),
   * both are removed again so that no session lingers that no cookie holds.
   */
  async create(session: SessionDocument, tokens: TokenCacheDocument): Promise<void> {
    const container = await this.container();
    const operations: OperationInput[] = [
      // Claims are JSON already (a verified token's payload); the SDK's type cannot know that.
      { operationType: 'Create', partitionKey: session.userKey, resourceBody: session as unknown as JSONObject },
      { operationType: 'Create', partitionKey: session.userKey, resourceBody: { ...tokens } },
    ];
    let outcome: Awaited<ReturnType<typeof transactionalBatch>>;
    try {
      outcome = await transactionalBatch(container, session.userKey, operations, 'save your session');
    } catch (error) {
      // A broken connection leaves the outcome unknown: take both back (best effort) rather than keep a session no cookie holds.
      if (error instanceof AppError && error.status === 503) {
        await Promise.all([session.id, tokens.id].map((id) => deleteIfPresent(container, id, session.userKey, 'save your session'))).catch(() => undefined);
      }
      throw error;
    }
    if (outcome.failure === 409) throw signInAlreadyCompleted();
    if (outcome.failure !== undefined) throw unexpectedStatus(outcome.failure);
  }

  /** One point read; undefined when there is no such session. */
  async read(ref: SessionRef): Promise<SessionDocument | undefined> {
    const container = await this.container();
    const { resource } = await cosmosCall('read your session', () => container.item(ref.id, ref.userKey).read<SessionDocument>());
    return resource?.type === 'session' ? resource : undefined;
  }

  /**
   * Moves the idle clock: one patch, conditional on the ETag read. A touch
   * that lost a race or whose session ended meanwhile (412, 404) is fine:
   * undefined, and nothing written.
   */
  async touch(ref: SessionRef & { _etag?: string }, lastSeenAt: number, ttl: number): Promise<{ _etag?: string } | undefined> {
    const container = await this.container();
    try {
      const { resource } = await cosmosCall('extend your session', () =>
        container.item(ref.id, ref.userKey).patch<SessionDocument>(
          [
            { op: 'set', path: '/lastSeenAt', value: lastSeenAt },
            { op: 'set', path: '/ttl', value: ttl },
          ],
          ref._etag ? { accessCondition: { type: 'IfMatch', condition: ref._etag } } : {},
        ),
      );
      return { _etag: resource?._etag };
    } catch (error) {
      const status = cosmosStatus(error);
      if (status === 412 || status === 404) return undefined;
      throw error;
    }
  }

  /** Every document of one user: one single-partition query, reading only what a listing shows. */
  async partition(userKey: string): Promise<PartitionEntry[]> {
    const container = await this.container();
    const { resources } = await cosmosCall('list your sessions', () =>
      container.items
        .query<PartitionEntry>(
          {
            // The filter on the partition key keeps Cosmos DB in one partition; the local Cosmos DB API server needs it
            // too, as it ignores the partitionKey option.
            query: 'SELECT c.id, c.type, c.createdAt, c.lastSeenAt, c.expiresAt, c.device, c._etag FROM c WHERE c.userKey = @userKey',
            parameters: [{ name: '@userKey', value: userKey }],
          },
          { partitionKey: userKey },
        )
        .fetchAll(),
    );
    return resources;
  }

  /** Sessions that carry this `sid` hash, in any partition: one cross-partition query on an indexed path. */
  async withSid(sidHash: string): Promise<SessionRef[]> {
    const container = await this.container();
    const { resources } = await cosmosCall('find the sessions to end', () =>
      container.items
        .query<SessionRef>({
          query: "SELECT c.id, c.userKey FROM c WHERE c.type = 'session' AND c.sidHash = @sidHash",
          parameters: [{ name: '@sidHash', value: sidHash }],
        })
        .fetchAll(),
    );
    return resources;
  }

  /**
   * Removes documents of one partition in batches of up to 100 deletes, and
   * says which of them were there. A document that is gone already fails its
   * batch (404); that batch's documents are then removed one by one, where a
   * missing one counts as removed.
   */
  async remove(userKey: string, ids: string[]): Promise<Set<string>> {
    const container = await this.container();
    const found = new Set<string>();
    for (let start = 0; start < ids.length; start += MAX_BATCH_OPERATIONS) {
      const chunk = ids.slice(start, start + MAX_BATCH_OPERATIONS);
      // Each operation names the partition again: Cosmos DB does not need it, the local Cosmos DB API server does.
      const operations: OperationInput[] = chunk.map((id) => ({ operationType: 'Delete', id, partitionKey: userKey }));
      const outcome = await transactionalBatch(container, userKey, operations, 'end your session');
      if (outcome.failure !== undefined && outcome.failure !== 404) throw unexpectedStatus(outcome.failure);
      const retry: string[] = [];
      chunk.forEach((id, index) => {
        const status = outcome.statuses[index] ?? 424;
        if (status < 400) found.add(id);
        else if (status !== 404) retry.push(id);
      });
      await Promise.all(
        retry.map(async (id) => {
          if (await deleteIfPresent(container, id, userKey, 'end your session')) found.add(id);
        }),
      );
    }
    return found;
  }
}

/**
 * A status no step of ours should meet: 401 or 403 is a setup mistake (the app's identity lacks its
 * Cosmos DB role), anything else a bug. Logged by its status.
 */
function unexpectedStatus(status: number): AppError {
  if (status === 401 || status === 403) {
    return new AppError('misconfigured', {
      detail: `Sign-in is not set up correctly on this site: the session store refused the app's identity (status ${status}). Check its Cosmos DB data role, or COSMOS_KEY.`,
      reason: `cosmos:${status}`,
      setting: 'COSMOS_KEY',
    });
  }
  return new AppError('internal_error', { reason: `cosmos:${status}` });
}
