/**
 * Checked reads for places where a missing element can only mean a bug in facevault itself.
 *
 * With `noUncheckedIndexedAccess`, `array[i]` is `T | undefined`. Where absence is a real case
 * (user input, an optional entry), handle it with `?? default` or an `if`. Where the index is in
 * range by construction, read through `at` / `entry` / `defined`: they return the element typed
 * `T` and throw `FV_ERR_INTERNAL` (HTTP 500) instead of letting `undefined` travel on as a number.
 * Not for the innermost loops of the kernels: there, loop to the array's own length instead.
 */
import { fvError } from '../errors.js';

/** `array[index]`, which the caller knows is in range and set; throws FV_ERR_INTERNAL if it is not (an `undefined` element included). */
export function at<T>(array: ArrayLike<T | undefined>, index: number): T {
  const value = array[index];
  if (value === undefined) {
    throw fvError('FV_ERR_INTERNAL', `index ${index} is outside an array of length ${array.length}`, { index, length: array.length });
  }
  return value;
}

/** `record[key]`, which the caller knows is present; throws FV_ERR_INTERNAL if it is not (or is `undefined`). */
export function entry<V>(record: Readonly<Record<string, V | undefined>>, key: string): V {
  const value = record[key];
  if (value === undefined) throw fvError('FV_ERR_INTERNAL', `missing entry "${key}"`, { key });
  return value;
}

/** `value`, which the caller knows is defined (say, the first element of a non-empty array); throws FV_ERR_INTERNAL if it is not. */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw fvError('FV_ERR_INTERNAL', `${what} is missing`, { what });
  return value;
}
