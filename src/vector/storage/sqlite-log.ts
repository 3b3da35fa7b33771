import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fvError } from '../../errors.js';
import type { IndexConfig } from '../types.js';
import { checkFileMeta, newFileMeta } from './file-format.js';
import { decodeSegment, encodeDelete, encodeUpsert, type SegmentRow } from './segment-codec.js';
import type { LogEntry, SegmentBatch, StorageOptions } from './types.js';

export type { LogEntry, SegmentBatch, StorageOptions } from './types.js';

/** The SQLite file inside the data directory (its WAL sits beside it as `facevault.db-wal`). */
export const STORAGE_FILE_NAME = 'facevault.db';

/**
 * Chosen by measurement (100K-1M × 128-d in segments of 1,000, synchronous NORMAL): 64 KiB
 * pages write a 512 KB segment in ~8 overflow pages instead of ~125 and sustain ~1.3-1.7x the
 * records/s of 4 KiB pages; they only apply to a new file.
 */
const PAGE_SIZE = 65_536;
/**
 * A checkpoint every 256 pages (16 MiB of WAL): sustained throughput as high as with the default
 * 1,000 pages (64 MiB at this page size) but the slowest commit ~25 ms instead of ~175 ms, and a
 * WAL that stays at 16 MiB.
 */
const WAL_AUTOCHECKPOINT_PAGES = 256;
const SYNCHRONOUS_MODES = ['normal', 'full'] as const;

const SCHEMA = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE catalog (name TEXT PRIMARY KEY, config TEXT NOT NULL, last_seq INTEGER NOT NULL);
  -- One row per committed batch; the rowid is the commit order. Small columns first so that a
  -- lookup by index or namespace never reads a row's overflow pages.
  CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    index_name TEXT NOT NULL,
    namespace TEXT NOT NULL,
    kind INTEGER NOT NULL,
    count INTEGER NOT NULL,
    checksum INTEGER NOT NULL,
    ids TEXT NOT NULL,
    lengths BLOB NOT NULL,
    seqs BLOB,
    metadata TEXT,
    vectors BLOB
  );
  -- (index_name) lists an index's rows already in rowid order, so replay needs no sort.
  CREATE INDEX segments_by_index ON segments (index_name);
  CREATE INDEX segments_by_namespace ON segments (index_name, namespace);
`;

type StoredSegment = SegmentRow & { row: number };

/**
 * The durable, replayable log of the vector database: the only code that touches SQLite.
 *
 * One SQLite file in WAL mode holds the catalog of indexes and, per index, an append-only
 * log of segments: a segment is one committed batch (a whole upsert of up to 1,000 records
 * as a single row, or a tombstone row of deleted ids). The engine keeps records in memory and
 * rebuilds them on start by replaying the log in commit order; it compacts a namespace when
 * too much of its log is dead. Every `append*`, `compact`, `deleteNamespace` and `deleteIndex`
 * is one transaction: all of it is on disk when the call returns, or none of it.
 *
 * Trade-off: `synchronous: 'normal'` (default) survives a process crash, `'full'` also a
 * power loss at a higher commit latency (see {@link StorageOptions}). Removed rows are
 * overwritten with zeros (`secure_delete`, at the cost of writing the freed pages once more),
 * and `compact` and `deleteNamespace` then checkpoint and empty the write-ahead log, whose old
 * frames would still hold copies: when they return, nothing of the removed records is left in
 * the files (checked by grepping them). A plain delete only appends a tombstone.
 *
 * Assumes a little-endian host (vectors are stored as the raw float32 bytes).
 *
 * @example
 * const storage = Storage.open('/var/lib/facevault');
 * storage.createIndex(config); // config.name 'faces', config.dimension 2
 * storage.appendUpsert('faces', '', { ids: ['a'], seqs: Float64Array.of(1), vectors: Float32Array.of(0.5, 1), metadataJson: [undefined] });
 * storage.lastSeq('faces'); // → 1
 * storage.replay('faces', (entry) => console.log(entry.kind)); // prints: upsert
 * storage.close();
 */
export class Storage {
  private closed = false;
  /** Dimension of every index in the catalog: the existence check and the size check of each write. */
  private readonly dimensions = new Map<string, number>();
  private readonly statements;
  private readonly upsertTransaction;
  private readonly compactTransaction;
  private readonly deleteIndexTransaction;

  private constructor(
    private readonly db: Database.Database,
    private readonly file: string,
  ) {
    this.statements = {
      insertSegment: db.prepare(
        `INSERT INTO segments (index_name, namespace, kind, count, checksum, ids, lengths, seqs, metadata, vectors)
         VALUES (@index, @namespace, @kind, @count, @checksum, @ids, @lengths, @seqs, @metadata, @vectors)`,
      ),
      selectSegments: db.prepare<[string], StoredSegment>(
        `SELECT id AS row, namespace, kind, count, checksum, ids, lengths, seqs, metadata, vectors
         FROM segments INDEXED BY segments_by_index WHERE index_name = ? ORDER BY id`,
      ),
      deleteNamespaceSegments: db.prepare<[string, string]>('DELETE FROM segments WHERE index_name = ? AND namespace = ?'),
      deleteIndexSegments: db.prepare<[string]>('DELETE FROM segments WHERE index_name = ?'),
      raiseLastSeq: db.prepare<[number, string]>('UPDATE catalog SET last_seq = max(last_seq, ?) WHERE name = ?'),
      selectLastSeq: db.prepare<[string], { lastSeq: number }>('SELECT last_seq AS lastSeq FROM catalog WHERE name = ?'),
      selectConfigs: db.prepare<[], { config: string }>('SELECT config FROM catalog ORDER BY name'),
      insertConfig: db.prepare<[string, string]>('INSERT INTO catalog (name, config, last_seq) VALUES (?, ?, 0)'),
      updateConfig: db.prepare<[string, string]>('UPDATE catalog SET config = ? WHERE name = ?'),
      deleteConfig: db.prepare<[string]>('DELETE FROM catalog WHERE name = ?'),
    };
    this.upsertTransaction = db.transaction((index: string, namespace: string, batch: SegmentBatch) => this.writeUpsert(index, namespace, batch));
    this.compactTransaction = db.transaction((index: string, namespace: string, live: Iterable<SegmentBatch>) => {
      this.statements.deleteNamespaceSegments.run(index, namespace);
      for (const batch of live) this.writeUpsert(index, namespace, batch);
    });
    this.deleteIndexTransaction = db.transaction((index: string) => {
      this.statements.deleteIndexSegments.run(index);
      this.statements.deleteConfig.run(index);
    });
    for (const config of this.readConfigs()) this.dimensions.set(config.name, config.dimension);
  }

  /**
   * Opens the storage of a data directory, creating the directory and a new file when absent.
   * Checks the file's magic and format version, then its structure (`PRAGMA quick_check`:
   * 0.05-0.2 s at 1M × 128-d records, bench/storage-write.ts); segment checksums are checked as
   * `replay` reads them.
   * @throws FV_ERR_INVALID_ARGUMENT when `options.synchronous` is not 'normal' or 'full'.
   * @throws FV_ERR_STORAGE_VERSION when the file was written by another major format version.
   * @throws FV_ERR_STORAGE_CORRUPT when the file is not a facevault database or fails its check.
   */
  static open(dir: string, options: StorageOptions = {}): Storage {
    const synchronous = options.synchronous ?? 'normal';
    if (!SYNCHRONOUS_MODES.includes(synchronous)) {
      throw fvError('FV_ERR_INVALID_ARGUMENT', `storage option synchronous is ${JSON.stringify(synchronous)}; allowed: ${SYNCHRONOUS_MODES.join(', ')}`, {
        field: 'synchronous',
        value: synchronous,
        allowed: SYNCHRONOUS_MODES,
      });
    }
    mkdirSync(dir, { recursive: true });
    const file = join(dir, STORAGE_FILE_NAME);
    // timeout 0: a directory held by another process is reported at once, not after a wait.
    const db = new Database(file, { timeout: 0 });
    try {
      db.pragma(`page_size = ${PAGE_SIZE}`);
      // One process owns a data directory: two writers would each rebuild memory from the log
      // and diverge. EXCLUSIVE (set before WAL, so the WAL index lives in heap memory) holds the
      // lock from the first write until close; the empty write transaction takes it now.
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.exec('BEGIN IMMEDIATE; COMMIT');
      db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      db.pragma('secure_delete = ON');
      prepareFile(db, file);
      return new Storage(db, file);
    } catch (err) {
      db.close();
      throw asStorageError(err, file);
    }
  }

  /** Every index in the catalog, by name. @throws FV_ERR_CLOSED */
  listIndexes(): IndexConfig[] {
    return this.use(() => this.readConfigs());
  }

  /**
   * Adds an index to the catalog, durably, with lastSeq 0.
   * @throws FV_ERR_INDEX_EXISTS, FV_ERR_CLOSED
   */
  createIndex(config: IndexConfig): void {
    this.use(() => {
      if (this.dimensions.has(config.name)) throw fvError('FV_ERR_INDEX_EXISTS', `index "${config.name}" already exists`, { index: config.name });
      this.statements.insertConfig.run(config.name, JSON.stringify(config));
      this.dimensions.set(config.name, config.dimension);
    });
  }

  /**
   * Replaces the stored config of the index named `config.name`.
   * @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  updateIndex(config: IndexConfig): void {
    this.use(() => {
      this.dimensionOf(config.name);
      this.statements.updateConfig.run(JSON.stringify(config), config.name);
      this.dimensions.set(config.name, config.dimension);
    });
  }

  /**
   * Removes the index's config and all its segments in one transaction.
   * @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  deleteIndex(name: string): void {
    this.use(() => {
      this.dimensionOf(name);
      this.deleteIndexTransaction(name);
      this.dimensions.delete(name);
    });
  }

  /**
   * Highest sequence number ever assigned in this index (0 if none); the engine assigns seqs = previous + 1...
   * and they must never be reused, even after deletes or compaction.
   * @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  lastSeq(index: string): number {
    return this.use(() => {
      this.dimensionOf(index);
      return this.statements.selectLastSeq.get(index)?.lastSeq ?? 0;
    });
  }

  /**
   * Commits a batch as one segment and raises lastSeq to its highest seq, in one transaction.
   * An empty batch writes nothing.
   * @throws FV_ERR_INVALID_ARGUMENT when the batch's arrays disagree in length with its ids
   *   and the index dimension, or its namespace or metadata holds a lone surrogate.
   * @throws FV_ERR_RECORD_ID when an id holds a lone surrogate (UTF-8 cannot store it).
   * @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  appendUpsert(index: string, namespace: string, batch: SegmentBatch): void {
    this.use(() => this.upsertTransaction(index, namespace, batch));
  }

  /**
   * Commits a tombstone segment: these ids of the namespace are deleted from here on in the log.
   * The vectors stay on disk until the namespace is compacted. Empty `ids` writes nothing.
   * @throws FV_ERR_RECORD_ID, FV_ERR_INVALID_ARGUMENT (lone surrogates), FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  appendDelete(index: string, namespace: string, ids: string[]): void {
    this.use(() => {
      this.dimensionOf(index);
      if (ids.length === 0) return;
      this.statements.insertSegment.run({ index, ...encodeDelete(index, namespace, ids) });
    });
  }

  /**
   * Physically removes every segment of the namespace (nothing of it is replayed afterwards, nor
   * left in the files); lastSeq is kept. A namespace without rows changes nothing.
   * @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  deleteNamespace(index: string, namespace: string): void {
    this.use(() => {
      this.dimensionOf(index);
      this.statements.deleteNamespaceSegments.run(index, namespace);
      this.emptyWriteAheadLog();
    });
  }

  /**
   * Calls `visit` with every committed write of the index in commit order (`upsert` and
   * `delete` entries). A batch's `vectors` and `seqs` are views over the buffer SQLite's row was
   * read into (copied only when misaligned): copy what you keep. `visit` must not call this
   * Storage (SQLite's connection is busy reading); an exception from it stops the replay.
   * @throws FV_ERR_STORAGE_CORRUPT naming index, namespace and row when a segment fails its checksum.
   * @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  replay(index: string, visit: (entry: LogEntry) => void): void {
    this.use(() => {
      const dimension = this.dimensionOf(index);
      for (const segment of this.statements.selectSegments.iterate(index)) {
        visit(decodeSegment(segment, { index, namespace: segment.namespace, row: segment.row }, dimension));
      }
    });
  }

  /**
   * Replaces every segment of the namespace by segments holding exactly `live` (seqs kept as
   * given), in one transaction: if `live` throws or a batch is invalid, nothing changes.
   * lastSeq is never lowered. An empty `live` leaves the namespace without rows. Afterwards
   * nothing of the records left out is in the files. Cost: the live records written once, plus a
   * checkpoint of at most 16 MiB of write-ahead log.
   * @throws FV_ERR_INVALID_ARGUMENT, FV_ERR_RECORD_ID as `appendUpsert`; FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  compact(index: string, namespace: string, live: Iterable<SegmentBatch>): void {
    this.use(() => {
      this.dimensionOf(index);
      this.compactTransaction(index, namespace, live);
      this.emptyWriteAheadLog();
    });
  }

  /** Bytes on disk of the database file and its write-ahead log. @throws FV_ERR_CLOSED */
  diskBytes(): number {
    return this.use(() => fileSize(this.file) + fileSize(`${this.file}-wal`));
  }

  /** Checkpoints and closes the file. Idempotent; every other method throws FV_ERR_CLOSED afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private use<T>(operation: () => T): T {
    if (this.closed) throw fvError('FV_ERR_CLOSED', `storage ${this.file} was used after close()`, { file: this.file });
    try {
      return operation();
    } catch (err) {
      throw asStorageError(err, this.file);
    }
  }

  /**
   * Copies the write-ahead log into the database file and truncates it to zero bytes: its frames
   * still hold the pages of rows just removed, as they were before `secure_delete` zeroed them.
   * This connection holds the file exclusively, so no reader can keep the checkpoint from finishing.
   */
  private emptyWriteAheadLog(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  private dimensionOf(index: string): number {
    const dimension = this.dimensions.get(index);
    if (dimension === undefined) throw fvError('FV_ERR_INDEX_NOT_FOUND', `no index named "${index}" in storage`, { index });
    return dimension;
  }

  /** The body of a transaction: the caller has opened one. */
  private writeUpsert(index: string, namespace: string, batch: SegmentBatch): void {
    const dimension = this.dimensionOf(index);
    const count = batch.ids.length;
    if (batch.seqs.length !== count || batch.metadataJson.length !== count || batch.vectors.length !== count * dimension) {
      throw fvError(
        'FV_ERR_INVALID_ARGUMENT',
        `segment batch of ${count} ids has ${batch.seqs.length} seqs, ${batch.metadataJson.length} metadata entries and ` +
          `${batch.vectors.length} vector values; index "${index}" (dimension ${dimension}) needs ${count}, ${count} and ${count * dimension}`,
        { index, ids: count, seqs: batch.seqs.length, metadata: batch.metadataJson.length, vectorValues: batch.vectors.length, dimension },
      );
    }
    if (count === 0) return;
    this.statements.insertSegment.run({ index, ...encodeUpsert(index, namespace, batch) });
    let highest = 0;
    for (let i = 0; i < count; i++) if (batch.seqs[i] > highest) highest = batch.seqs[i];
    this.statements.raiseLastSeq.run(highest, index);
  }

  private readConfigs(): IndexConfig[] {
    return this.statements.selectConfigs.all().map(({ config }) => parseConfig(config, this.file));
  }
}

/** Creates the schema of a new file, or checks that an existing one is ours, of a readable version, and sound. */
function prepareFile(db: Database.Database, file: string): void {
  const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'").all();
  if (tables.length === 0) {
    db.transaction(() => {
      db.exec(SCHEMA);
      const insert = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?)');
      for (const [key, value] of Object.entries(newFileMeta(new Date()))) insert.run(key, value);
    })();
    return;
  }
  if (!tables.some((table) => table.name === 'meta')) {
    throw fvError('FV_ERR_STORAGE_CORRUPT', `${file} is an SQLite database but not a facevault storage file (no meta table)`, { file });
  }
  const meta = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM meta').all();
  checkFileMeta(new Map(meta.map(({ key, value }) => [key, value])), file);
  const problems = db.pragma('quick_check', { simple: false }) as { quick_check: string }[];
  if (problems[0]?.quick_check !== 'ok') {
    const found = problems.slice(0, 5).map((problem) => problem.quick_check);
    throw fvError('FV_ERR_STORAGE_CORRUPT', `${file} fails SQLite's quick_check: ${found.join('; ')}`, { file, problems: found });
  }
}

function parseConfig(text: string, file: string): IndexConfig {
  try {
    return JSON.parse(text) as IndexConfig;
  } catch (err) {
    throw fvError('FV_ERR_STORAGE_CORRUPT', `${file} holds an index config that is not JSON: ${text.slice(0, 80)}`, { file }, err);
  }
}

/** SQLite's own corruption reports become FV_ERR_STORAGE_CORRUPT; everything else passes unchanged. */
function asStorageError(err: unknown, file: string): unknown {
  if (err instanceof Database.SqliteError && (err.code.startsWith('SQLITE_CORRUPT') || err.code === 'SQLITE_NOTADB')) {
    return fvError('FV_ERR_STORAGE_CORRUPT', `${file} cannot be read: ${err.message} (${err.code})`, { file, sqliteCode: err.code }, err);
  }
  if (err instanceof Database.SqliteError && err.code.startsWith('SQLITE_BUSY')) {
    return fvError('FV_ERR_STORAGE_LOCKED', `${file} is in use by another facevault process (or another open database in this one)`, { file }, err);
  }
  return err;
}

function fileSize(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}
