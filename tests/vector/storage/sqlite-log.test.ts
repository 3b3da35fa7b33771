import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { isFacevaultError, type ErrorCode } from '../../../src/errors.js';
import { STORAGE_FILE_NAME, Storage } from '../../../src/vector/storage/sqlite-log.js';
import type { LogEntry, SegmentBatch } from '../../../src/vector/storage/types.js';
import { indexConfig, numberedBatch, plainBatch } from './fixtures/batches.js';
import { at } from '../../helpers/checked.js';

const DIMENSION = 4;

let dir: string;
let storage: Storage;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fv-storage-'));
  storage = Storage.open(dir);
  storage.createIndex(indexConfig('faces', DIMENSION));
});
afterEach(() => {
  storage.close();
  rmSync(dir, { recursive: true, force: true });
});

function batch(number: number, size = 3, firstSeq = number * 10 + 1): SegmentBatch {
  return numberedBatch(number, size, DIMENSION, firstSeq);
}

/** The replayed log as plain values. */
function replayed(target: Storage = storage, index = 'faces'): unknown[] {
  const entries: unknown[] = [];
  target.replay(index, (entry: LogEntry) => {
    entries.push(entry.kind === 'upsert' ? { ...entry, batch: plainBatch(entry.batch) } : entry);
  });
  return entries;
}

function upsertEntry(namespace: string, content: SegmentBatch): unknown {
  return { kind: 'upsert', namespace, batch: plainBatch(content) };
}

function reopen(): Storage {
  storage.close();
  storage = Storage.open(dir);
  return storage;
}

function expectCode(run: () => unknown, code: ErrorCode): void {
  let thrown: unknown;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  expect(isFacevaultError(thrown, code), `expected ${code}, got ${String(thrown)}`).toBe(true);
}

/** Opens the file with SQLite directly, to damage it as a disk or another program could. */
function withRawDatabase(change: (db: Database.Database) => void): void {
  storage.close();
  const db = new Database(join(dir, STORAGE_FILE_NAME));
  try {
    change(db);
  } finally {
    db.close();
  }
}

describe('round trip', () => {
  test('replays upserts, deletes and namespaces in commit order, after reopening too', () => {
    storage.appendUpsert('faces', '', batch(0));
    storage.appendUpsert('faces', 'team', batch(1));
    storage.appendDelete('faces', '', ['b0-r1', 'an id, with "quotes" and \u0000 and 😀']);
    storage.appendUpsert('faces', '', batch(2));
    const expected = [
      upsertEntry('', batch(0)),
      upsertEntry('team', batch(1)),
      { kind: 'delete', namespace: '', ids: ['b0-r1', 'an id, with "quotes" and \u0000 and 😀'] },
      upsertEntry('', batch(2)),
    ];
    expect(replayed()).toEqual(expected);
    expect(replayed(reopen())).toEqual(expected);
  });

  test('keeps ids with any characters, empty metadata slots and empty strings apart', () => {
    const content: SegmentBatch = {
      ids: ['', 'é', '\u0000|\n', '😀😀'],
      seqs: Float64Array.of(1, 2, 3, 4),
      vectors: new Float32Array(4 * DIMENSION).map((_, i) => i / 3),
      metadataJson: ['{"a":"😀"}', undefined, '{}', undefined],
    };
    storage.appendUpsert('faces', 'ns with spaces', content);
    expect(replayed(reopen())).toEqual([upsertEntry('ns with spaces', content)]);
  });

  test('deleteNamespace drops only that namespace, and an empty batch writes nothing', () => {
    storage.appendUpsert('faces', 'a', batch(0));
    storage.appendUpsert('faces', 'b', batch(1));
    storage.appendDelete('faces', 'a', ['b0-r0']);
    storage.appendUpsert('faces', 'a', { ids: [], seqs: new Float64Array(0), vectors: new Float32Array(0), metadataJson: [] });
    storage.appendDelete('faces', 'b', []);
    storage.deleteNamespace('faces', 'a');
    expect(replayed(reopen())).toEqual([upsertEntry('b', batch(1))]);
  });

  test('indexes are separate logs with their own configs', () => {
    storage.createIndex(indexConfig('other', 2));
    storage.appendUpsert('other', '', numberedBatch(5, 2, 2, 1));
    storage.appendUpsert('faces', '', batch(0));
    storage.updateIndex({ ...indexConfig('other', 2), tags: { team: 'x' } });
    reopen();
    expect(storage.listIndexes()).toEqual([indexConfig('faces', DIMENSION), { ...indexConfig('other', 2), tags: { team: 'x' } }]);
    expect(replayed(storage, 'other')).toEqual([upsertEntry('', numberedBatch(5, 2, 2, 1))]);
    expect(replayed()).toEqual([upsertEntry('', batch(0))]);
  });
});

describe('sequence numbers', () => {
  test('lastSeq is the highest seq ever appended and survives deletes, reopening and compaction', () => {
    expect(storage.lastSeq('faces')).toBe(0);
    storage.appendUpsert('faces', '', batch(0, 3, 1)); // seqs 1-3
    storage.appendUpsert('faces', 'x', batch(1, 2, 4)); // seqs 4-5
    storage.appendDelete('faces', 'x', ['b1-r0', 'b1-r1']);
    storage.deleteNamespace('faces', 'x');
    expect(reopen().lastSeq('faces')).toBe(5);
    compactAll(storage, [batch(0, 1, 1)]);
    expect(reopen().lastSeq('faces')).toBe(5);
  });

  test('a deleted and recreated index starts again from 0 with nothing to replay', () => {
    storage.createIndex(indexConfig('kept', DIMENSION));
    storage.appendUpsert('kept', '', batch(7));
    storage.appendUpsert('faces', '', batch(0));
    storage.appendDelete('faces', '', ['b0-r0']);
    storage.deleteIndex('faces');
    expect(storage.listIndexes().map((config) => config.name)).toEqual(['kept']);
    expectCode(() => storage.replay('faces', () => undefined), 'FV_ERR_INDEX_NOT_FOUND');
    reopen().createIndex(indexConfig('faces', DIMENSION));
    expect(storage.lastSeq('faces')).toBe(0);
    expect(replayed()).toEqual([]);
    expect(replayed(storage, 'kept')).toEqual([upsertEntry('', batch(7))]);
  });
});

/** A whole-namespace compaction of index 'faces', namespace '': every row replaced by `live`, then the log emptied. */
function compactAll(on: Storage, live: Iterable<SegmentBatch>): void {
  const rows = on.readSegments('faces', '', 0, Infinity, Infinity).map((segment) => segment.row);
  on.rewriteSegments('faces', '', rows, live);
  on.eraseRemoved();
}

describe('compaction', () => {
  test('keeps exactly the live records with their seqs, leaves other namespaces, and later writes follow it', () => {
    storage.appendUpsert('faces', '', batch(0));
    storage.appendUpsert('faces', 'other', batch(1));
    storage.appendDelete('faces', '', ['b0-r0', 'b0-r2']);
    storage.appendUpsert('faces', '', batch(2));
    const live: SegmentBatch = {
      ids: ['b0-r1', 'b2-r0', 'b2-r1', 'b2-r2'],
      seqs: Float64Array.of(2, 21, 22, 23),
      vectors: Float32Array.from([...batch(0).vectors.subarray(DIMENSION, 2 * DIMENSION), ...batch(2).vectors]),
      metadataJson: [undefined, ...batch(2).metadataJson],
    };
    compactAll(storage, [live]);
    storage.appendDelete('faces', '', ['b2-r0']);
    // The counts kept by arithmetic through the rewrite are the ones the file holds.
    const kept = storage.tallies();
    expect(reopen().tallies()).toEqual(kept);
    expect(kept.get('faces')).toEqual({ segments: 3, records: 4 + batch(1).ids.length });
    expect(replayed(storage)).toEqual([
      upsertEntry('other', batch(1)),
      upsertEntry('', live),
      { kind: 'delete', namespace: '', ids: ['b2-r0'] },
    ]);
  });

  test('a compaction that fails midway leaves the log as it was', () => {
    storage.appendUpsert('faces', '', batch(0));
    storage.appendDelete('faces', '', ['b0-r0']);
    const before = replayed();
    function* failingLive(): Generator<SegmentBatch> {
      yield batch(0, 2);
      throw new Error('source of live records failed');
    }
    expect(() => compactAll(storage, failingLive())).toThrow('source of live records failed');
    const invalid = { ...batch(1), ids: ['ok', 'lone \uD800 surrogate', 'fine'] };
    expectCode(() => compactAll(storage, [batch(0, 2), invalid]), 'FV_ERR_RECORD_ID');
    expect(replayed(reopen())).toEqual(before);
  });
});

describe('rejected writes leave nothing behind', () => {
  test('a batch whose arrays disagree with its ids or the dimension', () => {
    storage.appendUpsert('faces', '', batch(0));
    expectCode(() => storage.appendUpsert('faces', '', { ...batch(1), seqs: Float64Array.of(1) }), 'FV_ERR_INVALID_ARGUMENT');
    expectCode(() => storage.appendUpsert('faces', '', { ...batch(1), vectors: new Float32Array(3 * (DIMENSION + 1)) }), 'FV_ERR_INVALID_ARGUMENT');
    expectCode(() => storage.appendUpsert('faces', '', { ...batch(1), metadataJson: [] }), 'FV_ERR_INVALID_ARGUMENT');
    expect(replayed(reopen())).toEqual([upsertEntry('', batch(0))]);
    expect(storage.lastSeq('faces')).toBe(3);
  });

  test('an unknown index', () => {
    expectCode(() => storage.appendUpsert('missing', '', batch(0)), 'FV_ERR_INDEX_NOT_FOUND');
    expectCode(() => storage.appendDelete('missing', '', ['a']), 'FV_ERR_INDEX_NOT_FOUND');
    expectCode(() => storage.lastSeq('missing'), 'FV_ERR_INDEX_NOT_FOUND');
    expectCode(() => storage.deleteIndex('missing'), 'FV_ERR_INDEX_NOT_FOUND');
    expectCode(() => storage.updateIndex(indexConfig('missing', 2)), 'FV_ERR_INDEX_NOT_FOUND');
    expectCode(() => storage.createIndex(indexConfig('faces', 2)), 'FV_ERR_INDEX_EXISTS');
    storage.createIndex(indexConfig('missing', DIMENSION));
    expect(replayed(storage, 'missing')).toEqual([]);
  });

  test('text that UTF-8 cannot carry', () => {
    expectCode(() => storage.appendDelete('faces', '', ['\uDC00']), 'FV_ERR_RECORD_ID');
    expectCode(() => storage.appendUpsert('faces', 'ns \uD800', batch(0)), 'FV_ERR_INVALID_ARGUMENT');
    expect(replayed()).toEqual([]);
  });
});

describe('the file describes itself', () => {
  test('refuses a file of a newer major version and opens a newer minor', () => {
    withRawDatabase((db) => db.prepare("UPDATE meta SET value = '2.0' WHERE key = 'format_version'").run());
    expectCode(() => Storage.open(dir), 'FV_ERR_STORAGE_VERSION');
    withRawDatabase((db) => db.prepare("UPDATE meta SET value = '1.9' WHERE key = 'format_version'").run());
    storage = Storage.open(dir);
    expect(storage.listIndexes().map((config) => config.name)).toEqual(['faces']);
  });

  test('refuses a file that is not facevault storage', () => {
    withRawDatabase((db) => db.prepare("UPDATE meta SET value = 'other' WHERE key = 'magic'").run());
    expectCode(() => Storage.open(dir), 'FV_ERR_STORAGE_CORRUPT');
    const notSqlite = mkdtempSync(join(tmpdir(), 'fv-storage-garbage-'));
    writeFileSync(join(notSqlite, STORAGE_FILE_NAME), Buffer.alloc(100_000, 0x5a));
    try {
      expectCode(() => Storage.open(notSqlite), 'FV_ERR_STORAGE_CORRUPT');
    } finally {
      rmSync(notSqlite, { recursive: true, force: true });
    }
  });

  test('a segment whose bytes changed fails its checksum on replay, naming index, namespace and row', () => {
    storage.appendUpsert('faces', '', batch(0));
    storage.appendUpsert('faces', 'team', batch(1));
    withRawDatabase((db) => {
      const row = db.prepare<[], { id: number; vectors: Buffer }>("SELECT id, vectors FROM segments WHERE namespace = 'team'").get();
      if (row === undefined) throw new Error('the segment to damage is missing');
      row.vectors[5] = at(row.vectors, 5) ^ 0x01;
      db.prepare('UPDATE segments SET vectors = ? WHERE id = ?').run(row.vectors, row.id);
    });
    storage = Storage.open(dir);
    let thrown: unknown;
    try {
      storage.replay('faces', () => undefined);
    } catch (err) {
      thrown = err;
    }
    expect(isFacevaultError(thrown, 'FV_ERR_STORAGE_CORRUPT')).toBe(true);
    expect(isFacevaultError(thrown) && thrown.details).toEqual({ index: 'faces', namespace: 'team', row: 2 });
  });

  test('rejects an unknown synchronous mode and accepts full', () => {
    expectCode(() => Storage.open(dir, { synchronous: 'off' as 'full' }), 'FV_ERR_INVALID_ARGUMENT');
    const full = Storage.open(join(dir, 'full'), { synchronous: 'full' });
    full.createIndex(indexConfig('faces', DIMENSION));
    full.appendUpsert('faces', '', batch(0));
    expect(replayed(full)).toEqual([upsertEntry('', batch(0))]);
    expect(full.diskBytes()).toBeGreaterThan(0);
    full.close();
  });
});

test('every method throws FV_ERR_CLOSED after close, and close is idempotent', () => {
  storage.close();
  storage.close();
  const calls: (() => unknown)[] = [
    () => storage.listIndexes(),
    () => storage.createIndex(indexConfig('x', 2)),
    () => storage.updateIndex(indexConfig('faces', DIMENSION)),
    () => storage.deleteIndex('faces'),
    () => storage.lastSeq('faces'),
    () => storage.appendUpsert('faces', '', batch(0)),
    () => storage.appendDelete('faces', '', ['a']),
    () => storage.deleteNamespace('faces', ''),
    () => storage.replay('faces', () => undefined),
    () => storage.rewriteSegments('faces', '', [], []),
    () => storage.readSegments('faces', '', 0, Infinity, Infinity),
    () => storage.lastRow('faces', ''),
    () => storage.eraseRemoved(),
    () => storage.diskBytes(),
  ];
  for (const call of calls) expectCode(call, 'FV_ERR_CLOSED');
});
