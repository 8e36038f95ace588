/** The bench's own users, added to both local providers (ours and the baselines'), with known object ids. */
import { randomUUID } from 'node:crypto';
import type { DemoUser } from '../../dev/provider';

export type BenchUser = Required<DemoUser>;

export function makeBenchUsers(count: number): BenchUser[] {
  return Array.from({ length: count }, (_, index) => ({
    email: `bench-user-${index}@example.com`,
    password: 'Bench-passw0rd!',
    displayName: `Bench User ${index}`,
    oid: randomUUID(),
  }));
}
