/**
 * An express-session-compatible store (get/set/destroy with callbacks) over
 * Cosmos DB point reads, upserts and deletes: what a team would write to give
 * express-openid-connect server-side sessions in the same database our app
 * uses. One document per session, partitioned by `/id`, like our sessions.
 */
import type { Container } from '@azure/cosmos';

type Callback<T = void> = (error: unknown, value?: T) => void;

interface SessionDocument {
  id: string;
  session: unknown;
  ttl: number;
}

export class CosmosSessionStore {
  constructor(private readonly container: Container) {}

  get(sid: string, callback: Callback<unknown>): void {
    this.container
      .item(sid, sid)
      .read<SessionDocument>()
      .then(({ resource }) => callback(null, resource?.session ?? null), callback);
  }

  set(sid: string, session: { cookie?: { maxAge?: number } }, callback?: Callback): void {
    // Cosmos `ttl` tidies up; express-openid-connect enforces expiry itself from the session header.
    const ttl = Math.max(1, Math.ceil((session.cookie?.maxAge ?? 86_400_000) / 1000));
    this.container.items.upsert<SessionDocument>({ id: sid, session, ttl }).then(
      () => callback?.(null),
      (error: unknown) => callback?.(error),
    );
  }

  destroy(sid: string, callback?: Callback): void {
    this.container
      .item(sid, sid)
      .delete()
      .then(
        () => callback?.(null),
        (error: { code?: number }) => callback?.(error?.code === 404 ? null : error),
      );
  }
}
