/**
 * MSAL's token cache in one file on disk, readable by its owner only.
 *
 * The folder is created `0700` and the file written `0600`, atomically: a
 * temporary file next to it (opened `0600`, exclusive), flushed, then renamed
 * over the old one, so a crash or a full disk never leaves half a cache. When
 * the cache holds no account and no token any more, the file is removed.
 *
 * Two commands running at once each write the whole cache; the last write
 * wins. With Entra that loses nothing that matters: a refresh token stays
 * valid after it has been rotated, so the surviving one still works.
 *
 * @example
 * ```ts
 * new PublicClientApplication({ auth, cache: { cachePlugin: new FileCachePlugin(settings.cacheFile) } });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { CliError, EXIT } from './errors';

/** The sections that hold a user's data; `AppMetadata` alone does not count. */
const USER_SECTIONS = ['Account', 'IdToken', 'AccessToken', 'RefreshToken'];

export class FileCachePlugin implements ICachePlugin {
  private warned = false;

  constructor(
    readonly file: string,
    /** Told (without the content) when the file cannot be read as a cache. */
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw this.unusable('read', error);
    }
    if (!isCacheJson(text)) {
      if (!this.warned) this.warn(`The token cache at ${this.file} is not readable as a cache; it is ignored and will be replaced at the next sign-in.`);
      this.warned = true;
      return;
    }
    context.tokenCache.deserialize(text);
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) return;
    const serialized = context.tokenCache.serialize();
    try {
      if (isEmptyCache(serialized)) await rm(this.file, { force: true });
      else await writeFileAtomic(this.file, serialized);
    } catch (error) {
      throw this.unusable('written', error);
    }
  }

  /** Fails now, rather than after the user has signed in, when the cache could not be saved. */
  async checkWritable(): Promise<void> {
    try {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      const probe = temporaryName(this.file);
      await (await open(probe, 'wx', 0o600)).close();
      await rm(probe, { force: true });
    } catch (error) {
      throw this.unusable('written', error);
    }
  }

  /** A file system error as an ending that names the file and the fix, not a stack trace. */
  private unusable(action: 'read' | 'written', error: unknown): CliError {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    return new CliError(
      EXIT.failure,
      `The token cache ${this.file} cannot be ${action} (${code}). Check the folder's permissions, or choose another folder with --cache-dir / FNAUTH_CACHE_DIR.`,
    );
  }
}

async function writeFileAtomic(file: string, content: string): Promise<void> {
  // Creates missing folders 0700; a folder that already exists (a user's choice) keeps its mode.
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = temporaryName(file);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Next to the file (same file system, so the rename is atomic), hidden, unique. */
function temporaryName(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function isCacheJson(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** No account and no token left (after `logout`, or a cache emptied by MSAL). */
function isEmptyCache(serialized: string): boolean {
  const cache = JSON.parse(serialized) as Record<string, Record<string, unknown> | undefined>;
  return USER_SECTIONS.every((section) => Object.keys(cache[section] ?? {}).length === 0);
}
