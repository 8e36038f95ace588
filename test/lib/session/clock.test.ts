import { describe, expect, it } from 'vitest';
import { idleExpiresAt, isExpired, touchDue, TOUCH_INTERVAL_SECONDS, ttlAt } from '../../../src/lib/session/clock';

const T0 = 1_900_000_000;
const lifetime = { idleTimeoutSeconds: 3600, absoluteTimeoutSeconds: 4 * 3600 };
const session = { lastSeenAt: T0 + 100, expiresAt: T0 + 4 * 3600 };

describe('the session clocks', () => {
  it('isExpired follows both clocks', () => {
    expect(isExpired(session, lifetime, T0 + 100 + 3600 - 1)).toBe(false);
    expect(isExpired(session, lifetime, T0 + 100 + 3600)).toBe(true);
    expect(isExpired({ ...session, lastSeenAt: T0 + 4 * 3600 - 10 }, lifetime, T0 + 4 * 3600)).toBe(true);
  });

  it('a touch is due after the interval, or a quarter of a short idle timeout', () => {
    expect(touchDue(session, lifetime, T0 + 100 + TOUCH_INTERVAL_SECONDS - 1)).toBe(false);
    expect(touchDue(session, lifetime, T0 + 100 + TOUCH_INTERVAL_SECONDS)).toBe(true);
    expect(touchDue(session, { idleTimeoutSeconds: 200, absoluteTimeoutSeconds: 3600 }, T0 + 150)).toBe(true);
  });

  it('the idle end is capped by the absolute one, and so is the ttl', () => {
    expect(idleExpiresAt(session, lifetime)).toBe(T0 + 100 + 3600);
    expect(idleExpiresAt({ ...session, lastSeenAt: T0 + 4 * 3600 - 60 }, lifetime)).toBe(T0 + 4 * 3600);
    expect(ttlAt(lifetime, T0, T0 + 4 * 3600)).toBe(3600);
    expect(ttlAt(lifetime, T0 + 4 * 3600 - 600, T0 + 4 * 3600)).toBe(600);
    expect(ttlAt(lifetime, T0 + 4 * 3600 + 5, T0 + 4 * 3600)).toBe(1);
  });
});
