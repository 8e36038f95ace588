/**
 * Apps take turns, starting from a different one each round, so that none
 * always runs right after the same other one (or always first): on a shared
 * machine, whatever drifts then drifts for all of them alike.
 */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const start = by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}
