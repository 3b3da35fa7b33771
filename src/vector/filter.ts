/**
 * Pinecone's metadata filter language, compiled once into a tree of closures.
 *
 * Reference: https://docs.pinecone.io/guides/search/filter-by-metadata — `$eq $ne` (string,
 * number, boolean), `$gt $gte $lt $lte` (number), `$in $nin` (strings and numbers), `$exists`,
 * `$and $or`; several fields at one level are ANDed; `{field: value}` is shorthand for `$eq`.
 * A list-of-strings field matches when any of its elements does.
 *
 * Parsing validates everything, so evaluation never throws and never allocates: it only reads
 * the record's metadata and calls the closures built here.
 */
import { fvError, type FacevaultError } from '../errors.js';
import type { RecordMetadata, RecordMetadataValue } from './types.js';
// validate.ts imports compileFilter back; the cycle is safe because neither module calls the other at load time.
import { childPath, describeValue, isPlainObject } from './input-shape.js';

/** True when a record's metadata satisfies the compiled filter. Never throws. */
export type MetadataPredicate = (metadata: RecordMetadata | undefined) => boolean;

const FIELD_OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists'] as const;
type FieldOperator = (typeof FIELD_OPERATORS)[number];
const LOGICAL_OPERATORS = ['$and', '$or'] as const;

/** Deeper nesting is surely a mistake or an attack; it would otherwise overflow the stack. */
const MAX_DEPTH = 32;

const matchAll: MetadataPredicate = () => true;

const COMPARISONS: Record<'$gt' | '$gte' | '$lt' | '$lte', (value: number, bound: number) => boolean> = {
  $gt: (value, bound) => value > bound,
  $gte: (value, bound) => value >= bound,
  $lt: (value, bound) => value < bound,
  $lte: (value, bound) => value <= bound,
};

/**
 * Parses and validates a Pinecone metadata filter into a predicate over record metadata.
 *
 * Semantics beyond Pinecone's table, following MongoDB, on which Pinecone bases its language:
 * a record without the field matches `$ne`, `$nin` and `$exists: false`, and nothing else;
 * on a list-valued field `$eq`/`$in` match when any element matches, `$ne`/`$nin` when none does.
 * `{}` matches every record.
 *
 * @example
 * compileFilter({ genre: { $in: ['drama', 'comedy'] }, year: { $gte: 2020 } })({ genre: ['drama'], year: 2021 }) // → true
 * @throws FV_ERR_FILTER naming the path and the problem, e.g.
 *   `filter.genre: unknown operator "$regex"; allowed: $eq, $ne, ...` or
 *   `filter.year.$gt: expects a number, got string "2019"`.
 */
export function compileFilter(filter: unknown): MetadataPredicate {
  return compileClause(filter, 'filter', 0);
}

function compileClause(clause: unknown, path: string, depth: number): MetadataPredicate {
  if (!isPlainObject(clause)) throw filterError(path, `expects an object, got ${describeValue(clause)}`);
  if (depth > MAX_DEPTH) throw filterError(path, `nested deeper than ${MAX_DEPTH} levels`);
  const parts: MetadataPredicate[] = [];
  for (const key of Object.keys(clause)) {
    const at = childPath(path, key);
    if (key === '$and' || key === '$or') parts.push(compileLogical(key, clause[key], at, depth));
    else if (key.startsWith('$')) {
      throw filterError(
        at,
        `operator "${key}" is not allowed at this level; only ${LOGICAL_OPERATORS.join(', ')} are, ` +
          `and field operators go under a field, e.g. {"year": {"$gt": 2019}}`,
      );
    } else parts.push(compileField(key, clause[key], at));
  }
  return allOf(parts);
}

function compileLogical(op: '$and' | '$or', operand: unknown, path: string, depth: number): MetadataPredicate {
  if (!Array.isArray(operand) || operand.length === 0) {
    throw filterError(path, `expects a non-empty array of filters, got ${describeValue(operand)}`);
  }
  const parts = operand.map((clause, i) => compileClause(clause, `${path}[${i}]`, depth + 1));
  return op === '$and' ? allOf(parts) : anyOf(parts);
}

function compileField(field: string, condition: unknown, path: string): MetadataPredicate {
  if (!isPlainObject(condition)) {
    if (Array.isArray(condition)) {
      throw filterError(path, `expects a string, number, boolean or operator object, got array; to match any of several values use {"$in": [...]}`);
    }
    return equals(field, scalarOperand(condition, path));
  }
  const operators = Object.keys(condition);
  if (operators.length === 0) throw filterError(path, `expects at least one operator; allowed: ${FIELD_OPERATORS.join(', ')}`);
  return allOf(operators.map((op) => compileOperator(field, fieldOperator(op, path), condition[op], childPath(path, op))));
}

function fieldOperator(op: string, fieldPath: string): FieldOperator {
  if ((FIELD_OPERATORS as readonly string[]).includes(op)) return op as FieldOperator;
  if (!op.startsWith('$')) {
    throw filterError(fieldPath, `nested objects are not supported (got key "${op}"): metadata is flat; compare with an operator such as {"$eq": ...}`);
  }
  if ((LOGICAL_OPERATORS as readonly string[]).includes(op)) {
    throw filterError(fieldPath, `"${op}" combines whole filters and belongs at filter level, not under a field`);
  }
  throw filterError(fieldPath, `unknown operator "${op}"; allowed: ${FIELD_OPERATORS.join(', ')}`);
}

function compileOperator(field: string, op: FieldOperator, operand: unknown, path: string): MetadataPredicate {
  switch (op) {
    case '$eq':
      return equals(field, scalarOperand(operand, path));
    case '$ne':
      return not(equals(field, scalarOperand(operand, path)));
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      const bound = numberOperand(operand, path);
      const holds = COMPARISONS[op];
      return (m) => {
        const v = valueOf(m, field);
        return typeof v === 'number' && holds(v, bound);
      };
    }
    case '$in':
      return isIn(field, setOperand(operand, path));
    case '$nin':
      return not(isIn(field, setOperand(operand, path)));
    case '$exists': {
      if (typeof operand !== 'boolean') throw filterError(path, `expects true or false, got ${describeValue(operand)}`);
      return operand ? (m) => hasField(m, field) : (m) => !hasField(m, field);
    }
  }
}

// ── operands ──────────────────────────────────────────────────────────────────────────────────

function scalarOperand(operand: unknown, path: string): string | number | boolean {
  if (typeof operand === 'string' || typeof operand === 'boolean') return operand;
  if (typeof operand === 'number' && Number.isFinite(operand)) return operand;
  const hint = operand === null ? '; to match records without the field use {"$exists": false}' : '';
  throw filterError(path, `expects a string, finite number or boolean, got ${describeValue(operand)}${hint}`);
}

function numberOperand(operand: unknown, path: string): number {
  if (typeof operand === 'number' && Number.isFinite(operand)) return operand;
  throw filterError(path, `expects a number, got ${describeValue(operand)}`);
}

function setOperand(operand: unknown, path: string): ReadonlySet<string | number> {
  if (!Array.isArray(operand) || operand.length === 0) {
    throw filterError(path, `expects a non-empty array of strings or numbers, got ${describeValue(operand)}`);
  }
  operand.forEach((element: unknown, i) => {
    if (typeof element === 'string' || (typeof element === 'number' && Number.isFinite(element))) return;
    throw filterError(`${path}[${i}]`, `expects a string or finite number, got ${describeValue(element)}`);
  });
  return new Set(operand as (string | number)[]);
}

// ── predicates (evaluation: no allocation, no throw) ──────────────────────────────────────────────

/**
 * A field such as "constructor" may find a function on Object.prototype here; no comparison can
 * match a function, so only `$exists` needs the own-property test of `hasField`.
 */
function valueOf(metadata: RecordMetadata | undefined, field: string): RecordMetadataValue | undefined {
  return metadata?.[field];
}

function hasField(metadata: RecordMetadata | undefined, field: string): boolean {
  return metadata !== undefined && Object.hasOwn(metadata, field);
}

function equals(field: string, expected: string | number | boolean): MetadataPredicate {
  // Only strings can be elements of list-valued metadata, so only they need the list check.
  if (typeof expected !== 'string') return (m) => valueOf(m, field) === expected;
  return (m) => {
    const v = valueOf(m, field);
    return v === expected || (Array.isArray(v) && v.includes(expected));
  };
}

function isIn(field: string, set: ReadonlySet<string | number>): MetadataPredicate {
  return (m) => {
    const v = valueOf(m, field);
    if (v === undefined || typeof v === 'boolean') return false;
    if (!Array.isArray(v)) return set.has(v);
    for (const item of v) if (set.has(item)) return true;
    return false;
  };
}

/**
 * `$ne` and `$nin` are the exact complements of `$eq` and `$in`, so a record without the field
 * matches them — MongoDB's documented rule ("$nin selects documents where the field value is not
 * in the array or the field does not exist", mongodb.com/docs/manual/reference/operator/query/nin),
 * which Pinecone's language is "based on" (docs.pinecone.io/guides/search/filter-by-metadata).
 */
function not(predicate: MetadataPredicate): MetadataPredicate {
  return (m) => !predicate(m);
}

function allOf(parts: MetadataPredicate[]): MetadataPredicate {
  const [a, b] = parts;
  if (a === undefined) return matchAll;
  if (b === undefined) return a;
  if (parts.length === 2) return (m) => a(m) && b(m);
  return (m) => {
    for (const part of parts) if (!part(m)) return false;
    return true;
  };
}

function anyOf(parts: MetadataPredicate[]): MetadataPredicate {
  const [only] = parts;
  if (parts.length === 1 && only !== undefined) return only;
  return (m) => {
    for (const part of parts) if (part(m)) return true;
    return false;
  };
}

function filterError(path: string, problem: string): FacevaultError {
  return fvError('FV_ERR_FILTER', `${path}: ${problem}`, { path });
}
