/**
 * Accounts of the local OpenID provider: the demo users every newcomer can sign in with,
 * plus whoever signs up while it runs (kept in memory, and in `users.json` in the data
 * folder when asked to).
 *
 * Passwords are kept only as scrypt hashes, including in `users.json`.
 */
import { randomUUID, scryptSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** A user of the local provider, as given to {@link startProvider} or listed in {@link DEMO_USERS}. */
export interface DemoUser {
  email: string;
  password: string;
  displayName: string;
  /** The Entra object id (`oid`). A fixed GUID for demo users; random for new ones when omitted. */
  oid?: string;
}

/** What the provider knows of a user: never the password. */
export interface UserRecord {
  oid: string;
  email: string;
  displayName: string;
  createdAt: string;
  /** True for users who signed up through the sign-up page. */
  signedUp: boolean;
}

/** The users a fresh provider has; the README lists them. */
export const DEMO_USERS: readonly Readonly<Required<DemoUser>>[] = Object.freeze([
  {
    email: 'alice@example.com',
    password: 'Passw0rd!',
    displayName: 'Alice Example',
    oid: '4a1d3c52-8f0e-4b7a-9c61-2d5e7f80a1b3',
  },
  {
    email: 'bob@example.com',
    password: 'Passw0rd!',
    displayName: 'Bob Example',
    oid: '9e27b6f4-3c1a-4d85-b0e9-6f4c2a7d1e58',
  },
  {
    // The local web app assigns her its admin role (see DEV_WEB_CLIENT in index.ts).
    email: 'admin@example.com',
    password: 'Passw0rd!',
    displayName: 'Ada Admin',
    oid: 'c5e8a1d2-7b3f-4e69-a0d4-3f1b9c6e2a87',
  },
]);

interface StoredUser extends UserRecord {
  passwordHash: string;
}

const SCRYPT_KEYLEN = 32;
/** Low cost on purpose: a dev tool that starts in tests many times. */
const SCRYPT_OPTIONS = { N: 1024, r: 8, p: 1 };

function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, SCRYPT_KEYLEN, SCRYPT_OPTIONS);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

function verifyPassword(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = scryptSync(password, Buffer.from(salt, 'base64url'), expected.length, SCRYPT_OPTIONS);
  return timingSafeEqual(actual, expected);
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Problems with a sign-up, worded for the page; empty when it is acceptable. */
export function signUpProblems(input: { email: string; displayName: string; password: string }): string[] {
  const problems: string[] = [];
  if (!EMAIL.test(input.email.trim())) problems.push('Enter a valid email address.');
  if (!input.displayName.trim()) problems.push('Enter a display name.');
  else if (input.displayName.trim().length > 100) problems.push('The display name is longer than 100 characters.');
  if (input.password.length < 8) problems.push('The password must have at least 8 characters.');
  return problems;
}

export class UserStore {
  readonly #byOid = new Map<string, StoredUser>();
  readonly #file: string | undefined;

  /**
   * @param seed users to start with (the demo users by default)
   * @param file where signed-up users are kept across runs; none when undefined
   */
  constructor(seed: readonly DemoUser[] = DEMO_USERS, file?: string) {
    this.#file = file;
    for (const user of seed) this.#insert(user, false);
    if (file && existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as StoredUser[];
      for (const user of saved) {
        if (!this.findByEmail(user.email) && !this.#byOid.has(user.oid)) this.#byOid.set(user.oid, user);
      }
    }
  }

  list(): UserRecord[] {
    return [...this.#byOid.values()].map(publicRecord);
  }

  findById(oid: string): UserRecord | undefined {
    const user = this.#byOid.get(oid);
    return user && publicRecord(user);
  }

  findByEmail(email: string): UserRecord | undefined {
    const wanted = normalizeEmail(email);
    for (const user of this.#byOid.values()) if (user.email === wanted) return publicRecord(user);
    return undefined;
  }

  /** The user whose email and password match, or undefined (same answer for either mistake). */
  authenticate(email: string, password: string): UserRecord | undefined {
    const wanted = normalizeEmail(email);
    for (const user of this.#byOid.values()) {
      if (user.email === wanted) return verifyPassword(password, user.passwordHash) ? publicRecord(user) : undefined;
    }
    return undefined;
  }

  /** Adds a user (as the sign-up page does); throws when the email is taken or the input is invalid. */
  create(user: DemoUser, options: { signedUp?: boolean } = {}): UserRecord {
    const problems = signUpProblems(user);
    if (problems.length > 0) throw new Error(problems.join(' '));
    if (this.findByEmail(user.email)) throw new Error(`An account with the email ${normalizeEmail(user.email)} already exists.`);
    const created = this.#insert(user, options.signedUp ?? true);
    this.#save();
    return publicRecord(created);
  }

  /** Pre-hashed entry for a sign-up whose password was hashed when the form was posted. */
  createHashed(user: { email: string; displayName: string; passwordHash: string }): UserRecord {
    if (this.findByEmail(user.email)) throw new Error(`An account with the email ${normalizeEmail(user.email)} already exists.`);
    const stored: StoredUser = {
      oid: randomUUID(),
      email: normalizeEmail(user.email),
      displayName: user.displayName.trim(),
      createdAt: new Date().toISOString(),
      signedUp: true,
      passwordHash: user.passwordHash,
    };
    this.#byOid.set(stored.oid, stored);
    this.#save();
    return publicRecord(stored);
  }

  #insert(user: DemoUser, signedUp: boolean): StoredUser {
    const oid = user.oid ?? randomUUID();
    if (this.#byOid.has(oid)) throw new Error(`Two users share the oid ${oid}.`);
    const stored: StoredUser = {
      oid,
      email: normalizeEmail(user.email),
      displayName: user.displayName.trim(),
      createdAt: new Date().toISOString(),
      signedUp,
      passwordHash: hashPassword(user.password),
    };
    this.#byOid.set(oid, stored);
    return stored;
  }

  #save(): void {
    if (!this.#file) return;
    const signedUp = [...this.#byOid.values()].filter((user) => user.signedUp);
    const temp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(signedUp, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, this.#file);
  }
}

export { hashPassword };

function publicRecord(user: StoredUser): UserRecord {
  return {
    oid: user.oid,
    email: user.email,
    displayName: user.displayName,
    createdAt: user.createdAt,
    signedUp: user.signedUp,
  };
}
