/**
 * An empty object without a prototype, for objects whose keys come from users (record ids,
 * namespace names, field names). On a `{}` literal, assigning the key "__proto__" replaces the
 * object's prototype instead of adding the key, and reading "constructor" or "toString" finds
 * Object.prototype's functions: a namespace named "toString" answered 500, found by fuzzing.
 * @example const byId = keyedByUser<number>(); byId['__proto__'] = 1; Object.keys(byId) // → ['__proto__']
 */
export function keyedByUser<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}
