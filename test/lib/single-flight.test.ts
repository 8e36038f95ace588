import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../src/lib/single-flight';
import { deferred } from '../helpers/deferred';

describe('SingleFlight', () => {
  it('runs the work once for concurrent callers of one key, and gives each the result', async () => {
    const flights = new SingleFlight<string, number>();
    const gate = deferred<number>();
    let runs = 0;
    const work = () => {
      runs += 1;
      return gate.promise;
    };
    const callers = Array.from({ length: 10 }, () => flights.run('a', work));
    gate.resolve(42);
    expect(await Promise.all(callers)).toEqual(Array(10).fill(42));
    expect(runs).toBe(1);
  });

  it('keeps keys apart, and starts afresh once a run settled', async () => {
    const flights = new SingleFlight<string, string>();
    let runs = 0;
    const work = (value: string) => async () => {
      runs += 1;
      return value;
    };
    expect(await Promise.all([flights.run('a', work('a')), flights.run('b', work('b'))])).toEqual(['a', 'b']);
    expect(await flights.run('a', work('again'))).toBe('again');
    expect(runs).toBe(3);
  });

  it('gives a failure to every caller of that run, and the next caller runs again', async () => {
    const flights = new SingleFlight<string, string>();
    const gate = deferred<string>();
    const callers = [flights.run('a', () => gate.promise), flights.run('a', () => Promise.resolve('not run'))];
    gate.reject(new Error('tenant down'));
    for (const caller of callers) await expect(caller).rejects.toThrow('tenant down');
    expect(await flights.run('a', () => Promise.resolve('recovered'))).toBe('recovered');
  });

  it('forget: the next caller starts a new run, the old one still settles for its callers and no longer holds the key', async () => {
    const flights = new SingleFlight<string, string>();
    const first = deferred<string>();
    const old = flights.run('a', () => first.promise);
    expect(flights.holds('a', old)).toBe(true);
    flights.forget('a');
    expect(flights.holds('a', old)).toBe(false);
    const fresh = flights.run('a', () => Promise.resolve('fresh'));
    first.resolve('old');
    expect(await old).toBe('old');
    expect(await fresh).toBe('fresh');
    // The old run settling later does not drop the new one's key.
    const second = deferred<string>();
    const next = flights.run('b', () => second.promise);
    flights.forget('b');
    const newer = flights.run('b', () => new Promise<string>(() => undefined));
    second.resolve('done');
    await next;
    expect(flights.holds('b', newer)).toBe(true);
  });
});
