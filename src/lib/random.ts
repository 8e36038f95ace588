/** Unguessable values and comparisons that do not leak timing. */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits of randomness, base64url: 43 characters. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function equalStrings(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
