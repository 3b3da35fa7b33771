import { describe, expect, it } from 'vitest';
import { FacevaultError } from '../../src/errors.js';
import { compileFilter } from '../../src/vector/filter.js';
import type { RecordMetadata } from '../../src/vector/types.js';

const drama2019: RecordMetadata = { genre: 'drama', year: 2019, rating: 7.5, free: true };
const comedy2021: RecordMetadata = { genre: 'comedy', year: 2021, rating: 6, free: false };
const tagged: RecordMetadata = { genre: ['comedy', 'documentary'], year: 2020 };
const bare: RecordMetadata = { year: 2020 };
const records = { drama2019, comedy2021, tagged, bare, none: undefined };
type Name = keyof typeof records;

/** The names of the records the filter matches, in a fixed order. */
function matching(filter: unknown): Name[] {
  const predicate = compileFilter(filter);
  return (Object.keys(records) as Name[]).filter((name) => predicate(records[name]));
}

function filterError(filter: unknown): FacevaultError {
  try {
    compileFilter(filter);
  } catch (err) {
    if (err instanceof FacevaultError) return err;
    throw err;
  }
  throw new Error('compileFilter accepted the filter');
}

describe('compileFilter semantics', () => {
  it('matches every record, with or without metadata, for an empty filter', () => {
    expect(matching({})).toEqual(['drama2019', 'comedy2021', 'tagged', 'bare', 'none']);
  });

  it('reads {field: value} as $eq, for strings, numbers and booleans', () => {
    expect(matching({ genre: 'drama' })).toEqual(['drama2019']);
    expect(matching({ year: 2021 })).toEqual(['comedy2021']);
    expect(matching({ free: false })).toEqual(['comedy2021']);
    expect(matching({ genre: { $eq: 'comedy' } })).toEqual(['comedy2021', 'tagged']);
  });

  it('compares types strictly: 2019 is not "2019"', () => {
    expect(matching({ year: '2019' })).toEqual([]);
    expect(matching({ year: { $in: ['2019'] } })).toEqual([]);
    expect(matching({ free: { $in: [1] } })).toEqual([]);
  });

  it('orders numbers with $gt $gte $lt $lte, inclusive only where it says so', () => {
    expect(matching({ year: { $gt: 2020 } })).toEqual(['comedy2021']);
    expect(matching({ year: { $gte: 2020 } })).toEqual(['comedy2021', 'tagged', 'bare']);
    expect(matching({ year: { $lt: 2020 } })).toEqual(['drama2019']);
    expect(matching({ year: { $lte: 2020 } })).toEqual(['drama2019', 'tagged', 'bare']);
    expect(matching({ genre: { $gt: 0 } })).toEqual([]);
  });

  it('ANDs several operators on one field (a range)', () => {
    expect(matching({ year: { $gt: 2019, $lt: 2021 } })).toEqual(['tagged', 'bare']);
  });

  it('ANDs several fields at one level', () => {
    expect(matching({ year: { $gte: 2019 }, genre: 'comedy' })).toEqual(['comedy2021', 'tagged']);
    expect(matching({ genre: 'comedy', free: false })).toEqual(['comedy2021']);
  });

  it('matches $in and $nin against strings and numbers', () => {
    expect(matching({ genre: { $in: ['drama', 'horror'] } })).toEqual(['drama2019']);
    expect(matching({ year: { $in: [2019, 2021] } })).toEqual(['drama2019', 'comedy2021']);
    expect(matching({ year: { $nin: [2019, 2021] } })).toEqual(['tagged', 'bare', 'none']);
  });

  it('matches a list field when any element matches $eq or $in, and $ne or $nin when none does', () => {
    expect(matching({ genre: 'documentary' })).toEqual(['tagged']);
    expect(matching({ genre: { $in: ['documentary', 'horror'] } })).toEqual(['tagged']);
    expect(matching({ genre: { $ne: 'documentary' } })).toEqual(['drama2019', 'comedy2021', 'bare', 'none']);
    expect(matching({ genre: { $nin: ['documentary'] } })).toEqual(['drama2019', 'comedy2021', 'bare', 'none']);
    expect(matching({ genre: { $ne: 'horror' } })).toContain('tagged');
  });

  it('lets a missing field match $ne, $nin and $exists:false only (MongoDB semantics)', () => {
    expect(matching({ genre: { $ne: 'drama' } })).toEqual(['comedy2021', 'tagged', 'bare', 'none']);
    expect(matching({ genre: { $nin: ['drama', 'comedy'] } })).toEqual(['bare', 'none']);
    expect(matching({ rating: { $lt: 100 } })).toEqual(['drama2019', 'comedy2021']);
    expect(matching({ free: true })).toEqual(['drama2019']);
    expect(matching({ genre: { $exists: true } })).toEqual(['drama2019', 'comedy2021', 'tagged']);
    expect(matching({ genre: { $exists: false } })).toEqual(['bare', 'none']);
  });

  it('nests $and and $or', () => {
    expect(matching({ $or: [{ genre: 'drama' }, { year: { $gt: 2020 } }] })).toEqual(['drama2019', 'comedy2021']);
    expect(matching({ $and: [{ year: { $gte: 2020 } }, { $or: [{ genre: 'documentary' }, { genre: { $exists: false } }] }] })).toEqual([
      'tagged',
      'bare',
    ]);
    expect(matching({ $or: [{ $and: [{ genre: 'drama' }, { free: true }] }, { year: 2020 }], rating: { $exists: false } })).toEqual([
      'tagged',
      'bare',
    ]);
  });

  it('reads only the record\'s own fields, never Object.prototype\'s', () => {
    expect(matching({ constructor: { $exists: true } })).toEqual([]);
    expect(matching({ toString: { $ne: 'x' } })).toEqual(['drama2019', 'comedy2021', 'tagged', 'bare', 'none']);
  });

  it('parses once: changing the filter object afterwards changes nothing', () => {
    const filter = { genre: { $in: ['drama'] } };
    const predicate = compileFilter(filter);
    filter.genre.$in.push('comedy');
    expect(predicate(comedy2021)).toBe(false);
    expect(predicate(drama2019)).toBe(true);
  });
});

describe('compileFilter errors', () => {
  it.each([
    ['null', null, 'filter: expects an object, got null'],
    ['an array', [{ genre: 'drama' }], 'filter: expects an object, got array'],
    ['a string', 'genre = drama', 'filter: expects an object, got string'],
    ['an unknown operator', { genre: { $regex: 'dr.*' } }, 'filter.genre: unknown operator "$regex"; allowed: $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists'],
    ['a field operator at the top', { $gt: 3 }, 'filter.$gt: operator "$gt" is not allowed at this level'],
    ['$and under a field', { genre: { $and: [{ a: 1 }] } }, 'filter.genre: "$and" combines whole filters'],
    ['a nested object', { person: { name: 'ada' } }, 'filter.person: nested objects are not supported (got key "name")'],
    ['an empty operator object', { genre: {} }, 'filter.genre: expects at least one operator'],
    ['null as a value', { genre: null }, 'filter.genre: expects a string, finite number or boolean, got null; to match records without the field use {"$exists": false}'],
    ['an array as a value', { genre: ['a', 'b'] }, 'filter.genre: expects a string, number, boolean or operator object, got array; to match any of several values use {"$in": [...]}'],
    ['a string for $gt', { year: { $gt: '2019' } }, 'filter.year.$gt: expects a number, got string "2019"'],
    ['NaN for $lte', { year: { $lte: Number.NaN } }, 'filter.year.$lte: expects a number, got NaN'],
    ['an object for $eq', { year: { $eq: { y: 1 } } }, 'filter.year.$eq: expects a string, finite number or boolean, got object'],
    ['a number for $exists', { year: { $exists: 1 } }, 'filter.year.$exists: expects true or false, got 1'],
    ['an empty $in', { year: { $in: [] } }, 'filter.year.$in: expects a non-empty array of strings or numbers, got empty array'],
    ['a scalar for $nin', { year: { $nin: 2019 } }, 'filter.year.$nin: expects a non-empty array of strings or numbers, got 2019'],
    ['a boolean inside $in', { year: { $in: [2019, true] } }, 'filter.year.$in[1]: expects a string or finite number, got true'],
    ['an empty $or', { $or: [] }, 'filter.$or: expects a non-empty array of filters, got empty array'],
    ['an object for $and', { $and: { genre: 'drama' } }, 'filter.$and: expects a non-empty array of filters, got object'],
    ['a bad clause deep inside', { $or: [{ a: 1 }, { $and: [{ b: { $gt: null } }] }] }, 'filter.$or[1].$and[0].b.$gt: expects a number, got null'],
    ['an odd field name', { 'release year': { $gt: 'x' } }, 'filter["release year"].$gt: expects a number'],
  ])('rejects %s', (_label, filter, message) => {
    const err = filterError(filter);
    expect(err.code).toBe('FV_ERR_FILTER');
    expect(err.message).toContain(message);
  });

  it('rejects nesting deeper than 32 levels instead of overflowing the stack', () => {
    let filter: Record<string, unknown> = { genre: 'drama' };
    for (let i = 0; i < 40; i++) filter = { $and: [filter] };
    const err = filterError(filter);
    expect(err.code).toBe('FV_ERR_FILTER');
    expect(err.message).toContain('nested deeper than 32 levels');
  });
});
