/**
 * Pinecone's metadata filter as a SQL condition over the `metadata jsonb` column, with every
 * field name and value a bound parameter (no value is ever spliced into the SQL text).
 *
 * The semantics are those of `src/vector/filter.ts`, which validates the filter first:
 * - `$eq` and `$in` match a scalar of the same JSON type (1 ≠ "1"), or, for strings, any element
 *   of a list-valued field. Each is a jsonb containment test (`metadata @> ANY(ARRAY[…])`),
 *   which the GIN index on `metadata` answers: `{"k": "x"}` and `{"k": ["x"]}` for a string,
 *   `{"k": 5}` for a number, `{"k": true}` for a boolean.
 * - `$ne`, `$nin` and `$exists: false` are the exact complements, so a record without the field
 *   (or without metadata: a SQL NULL) matches them; they are written `(…) IS NOT TRUE`, which
 *   turns SQL's unknown into a match. Every other condition is unknown or false on such a
 *   record, and AND/OR of those never turn into true, so no other place needs care.
 * - `$gt $gte $lt $lte` hold only for number-valued fields; jsonb compares numbers as exact
 *   decimals, and JSON.stringify writes each double as its shortest round-trip decimal, so the
 *   order is the order of the doubles.
 */
import { compileFilter } from '../../vector/filter.js';
import type { MetadataFilter } from '../../vector/types.js';

/** Where a condition puts its values: `add` keeps a text value and returns the SQL that reads it. */
export interface ParamSink {
  add(text: string): string;
}

/** Positional parameters of one statement: `add` returns the placeholder (`$n`) of a new value. */
export class SqlParams implements ParamSink {
  readonly values: unknown[] = [];

  constructor(initial: readonly unknown[] = []) {
    this.values.push(...initial);
  }

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Text values packed into one `text[]` parameter, read as `($k::text[])[i]`: for a statement run
 * by a server-side function (`EXECUTE … USING`), which takes a fixed list of parameters.
 */
export class PackedTextParams implements ParamSink {
  readonly values: string[] = [];

  constructor(private readonly position: number) {}

  add(text: string): string {
    this.values.push(text);
    return `($${this.position}::text[])[${this.values.length}]`;
  }
}

const RANGE_SQL: Readonly<Record<string, string>> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

/**
 * Validates `filter` (the same FV_ERR_FILTER as every store) and returns its SQL condition on
 * `column`; `TRUE` for an empty filter.
 * @example filterSql({ year: { $gte: 2020 } }, new SqlParams()) // → "(jsonb_typeof(metadata -> $1::text) = 'number' AND (metadata -> $1::text) >= $2::jsonb)"
 * @throws FV_ERR_FILTER naming the path and the problem.
 */
export function filterSql(filter: MetadataFilter, params: ParamSink, column = 'metadata'): string {
  compileFilter(filter);
  return clauseSql(filter, params, column);
}

function clauseSql(clause: Record<string, unknown>, params: ParamSink, column: string): string {
  const parts = Object.entries(clause).map(([key, operand]) => {
    if (key === '$and' || key === '$or') {
      const joined = (operand as Record<string, unknown>[]).map((c) => clauseSql(c, params, column)).join(key === '$and' ? ' AND ' : ' OR ');
      return `(${joined})`;
    }
    return fieldSql(key, operand, params, column);
  });
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
}

function fieldSql(field: string, condition: unknown, params: ParamSink, column: string): string {
  if (typeof condition !== 'object' || condition === null) return containsAny(field, [condition], params, column);
  return Object.entries(condition as Record<string, unknown>)
    .map(([op, operand]) => operatorSql(field, op, operand, params, column))
    .join(' AND ');
}

function operatorSql(field: string, op: string, operand: unknown, params: ParamSink, column: string): string {
  switch (op) {
    case '$eq':
      return containsAny(field, [operand], params, column);
    case '$ne':
      return `(${containsAny(field, [operand], params, column)}) IS NOT TRUE`;
    case '$in':
      return containsAny(field, operand as unknown[], params, column);
    case '$nin':
      return `(${containsAny(field, operand as unknown[], params, column)}) IS NOT TRUE`;
    case '$exists':
      return operand ? `${column} ? ${params.add(field)}::text` : `(${column} ? ${params.add(field)}::text) IS NOT TRUE`;
    default: {
      const key = `${params.add(field)}::text`;
      return `(jsonb_typeof(${column} -> ${key}) = 'number' AND (${column} -> ${key}) ${RANGE_SQL[op]} ${params.add(JSON.stringify(operand))}::jsonb)`;
    }
  }
}

/** True when the field equals one of `values`, or (strings) a list-valued field holds one of them. */
function containsAny(field: string, values: readonly unknown[], params: ParamSink, column: string): string {
  const candidates = values.flatMap((value) =>
    typeof value === 'string' ? [JSON.stringify({ [field]: value }), JSON.stringify({ [field]: [value] })] : [JSON.stringify({ [field]: value })],
  );
  return `${column} @> ANY(ARRAY[${candidates.map((json) => `${params.add(json)}::jsonb`).join(', ')}])`;
}
