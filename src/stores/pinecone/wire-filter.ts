/**
 * A metadata filter as it goes to the server: every top-level `{ field: value }` shorthand spelled
 * `{ field: { $eq: value } }`, which means the same (src/vector/filter.ts). The official client
 * checks the filters of describeIndexStats and deleteMany itself and refuses any top-level value
 * that is falsy, so `{ live: false }`, `{ n: 0 }` and `{ genre: '' }` would never be sent.
 */
import { isPlainObject } from '../../vector/input-shape.js';
import type { MetadataFilter } from '../../vector/types.js';

/**
 * @param filter already validated with compileFilter.
 * @example wireFilter({ live: false, year: { $gt: 2019 } }) // → { live: { $eq: false }, year: { $gt: 2019 } }
 */
export function wireFilter(filter: MetadataFilter): MetadataFilter {
  const out: MetadataFilter = {};
  for (const [key, condition] of Object.entries(filter)) {
    out[key] = key.startsWith('$') || isPlainObject(condition) ? condition : { $eq: condition };
  }
  return out;
}
