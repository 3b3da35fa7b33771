/**
 * Checked reads for tests, under `noUncheckedIndexedAccess`: `at` / `defined` / `entry` throw on a
 * missing element (see src/util/checked.ts), and `atLeast(list, n)` gives the first n items as a
 * tuple, so `const [a, b] = atLeast(await faces.represent(photo), 2)` needs no `!`.
 */
export { at, defined, entry } from '../../src/util/checked.js';

type Tuple<T, N extends number, R extends T[] = []> = R['length'] extends N ? R : Tuple<T, N, [...R, T]>;

/** The first `n` items of `items`, typed as an n-tuple; throws (failing the test) when there are fewer. */
export function atLeast<T, N extends number>(items: readonly T[], n: N): Tuple<T, N> {
  if (items.length < n) throw new Error(`expected at least ${n} items, got ${items.length}`);
  // The length is checked above; the type system cannot follow a runtime length into a tuple type.
  return items.slice(0, n) as Tuple<T, N>;
}
