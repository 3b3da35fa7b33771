import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { fvError } from '../../errors.js';
import type { IndexConfig } from '../types.js';
import { damagedError, findContradictions, type OnDisk } from './consistency.js';
import { checkFileMeta, newFileMeta } from './file-format.js';
import { generationsAhead, headerGeneration, ManifestFile, type IndexTally, type ManifestState } from './manifest.js';
import { readGeneration, readTally, SCHEMA, SEGMENT_COLUMNS } from './schema.js';
import { decodeSegment, encodeDelete, encodeUpsert, SEGMENT_KIND, type SegmentRow } from './segment-codec.js';
import { asStorageError } from './storage-errors.js';
import type { LogEntry, SegmentBatch, StorageOptions } from './types.js';
import { generationOnDisk, scanWal } from './wal-file.js';
import { at } from '../../util/checked.js';

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
/**
 * A passive checkpoint this long after the first commit since the last one, off the write path:
 * acknowledged commits reach the database file within about a second instead of staying in the
 * write-ahead log until 16 MiB have gathered there, so damage to the log can only cost the last
 * second of writes. Measured (100K-200K × 128-d, batches of 1,000, the event loop turning between
 * commits as in the server): no loss of throughput, and the slowest commits got faster (p99
 * ~50-70 ms instead of ~65-150 ms), because the timer's checkpoint runs between commits instead of
 * inside the one that crosses 16 MiB.
 */
const CHECKPOINT_DELAY_MS = 1_000;
const SYNCHRONOUS_MODES = ['normal', 'full'] as const;

type StoredSegment = SegmentRow & { row: number };

/**
 * The durable, replayable log of the vector database: the only code that touches SQLite.
 *
 * One SQLite file in WAL mode holds the catalog of indexes and, per index, an append-only
 * log of segments: a segment is one committed batch (a whole upsert of up to 1,000 records
 * as a single row, or a tombstone row of deleted ids). The engine keeps records in memory and
 * rebuilds them on start by replaying the log in commit order; it compacts a namespace when
 * too much of its log is dead, a few segments a transaction. Every `append*`, `rewriteSegments`,
 * `deleteNamespace` and `deleteIndex` is one transaction: all of it is on disk when the call
 * returns, or none of it.
 *
 * Trade-off: `synchronous: 'normal'` (default) survives a process crash, `'full'` also a
 * power loss at a higher commit latency (see {@link StorageOptions}). Removed rows are
 * overwritten with zeros (`secure_delete`, at the cost of writing the freed pages once more),
 * and `eraseRemoved` and `deleteNamespace` checkpoint and empty the write-ahead log, whose old
 * frames would still hold copies: when they return, nothing of the removed records is left in
 * the files (checked by grepping them). A plain delete only appends a tombstone.
 *
 * Every commit also bumps a generation counter kept in the database header and rewrites
 * `facevault.manifest` beside it (the generation and each index's counts, ~7 µs). A commit that
 * grows the file rewrites the header page anyway; a small one that does not (10 records, say)
 * now writes that 64 KiB page too: measured ~1.1 → ~1.4 ms per such commit. A passive
 * checkpoint follows about a second after the first commit since the last one. `open` refuses
 * with FV_ERR_STORAGE_DAMAGED, before SQLite touches anything, when the files hold less than the
 * manifest recorded: a damaged or truncated write-ahead log, an emptied or deleted database file.
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
  private readonly createIndexTransaction;
  private readonly updateIndexTransaction;
  private readonly deleteIndexTransaction;
  private readonly upsertTransaction;
  private readonly deleteTransaction;
  private readonly deleteNamespaceTransaction;
  private readonly rewriteTransaction;
  private checkpointTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly db: Database.Database,
    private readonly file: string,
    private readonly manifest: ManifestFile,
    /** Commits since the file was created; the header keeps it modulo 2^32. */
    private generation: number,
    /** Each index's segment and record counts, as the manifest records them after every commit. */
    private readonly tally: Map<string, IndexTally>,
  ) {
    this.statements = {
      insertSegment: db.prepare(
        `INSERT INTO segments (index_name, namespace, kind, count, checksum, ids, lengths, seqs, metadata, vectors)
         VALUES (@index, @namespace, @kind, @count, @checksum, @ids, @lengths, @seqs, @metadata, @vectors)`,
      ),
      selectSegments: db.prepare<[string], StoredSegment>(`SELECT ${SEGMENT_COLUMNS} FROM segments INDEXED BY segments_by_index WHERE index_name = ? ORDER BY id`),
      selectNamespaceSegments: db.prepare<[string, string, number], StoredSegment>(
        `SELECT ${SEGMENT_COLUMNS} FROM segments INDEXED BY segments_by_namespace WHERE index_name = ? AND namespace = ? AND id > ? ORDER BY id`,
      ),
      selectLastRow: db.prepare<[string, string], { lastRow: number | null }>('SELECT max(id) AS lastRow FROM segments INDEXED BY segments_by_namespace WHERE index_name = ? AND namespace = ?'),
      deleteSegment: db.prepare<[number], { kind: number; count: number }>('DELETE FROM segments WHERE id = ? RETURNING kind, count'),
      deleteNamespaceSegments: db.prepare<[string, string]>('DELETE FROM segments WHERE index_name = ? AND namespace = ?'),
      deleteIndexSegments: db.prepare<[string]>('DELETE FROM segments WHERE index_name = ?'),
      raiseLastSeq: db.prepare<[number, string]>('UPDATE catalog SET last_seq = max(last_seq, ?) WHERE name = ?'),
      selectLastSeq: db.prepare<[string], { lastSeq: number }>('SELECT last_seq AS lastSeq FROM catalog WHERE name = ?'),
      selectConfigs: db.prepare<[], { config: string }>('SELECT config FROM catalog ORDER BY name'),
      insertConfig: db.prepare<[string, string]>('INSERT INTO catalog (name, config, last_seq) VALUES (?, ?, 0)'),
      updateConfig: db.prepare<[string, string]>('UPDATE catalog SET config = ? WHERE name = ?'),
      deleteConfig: db.prepare<[string]>('DELETE FROM catalog WHERE name = ?'),
    };
    const { statements } = this;
    this.createIndexTransaction = this.committing((config: IndexConfig) => statements.insertConfig.run(config.name, JSON.stringify(config)));
    this.updateIndexTransaction = this.committing((config: IndexConfig) => statements.updateConfig.run(JSON.stringify(config), config.name));
    this.deleteIndexTransaction = this.committing((index: string) => {
      statements.deleteIndexSegments.run(index);
      statements.deleteConfig.run(index);
    });
    this.upsertTransaction = this.committing((index: string, namespace: string, batch: SegmentBatch) => this.writeUpsert(index, namespace, batch));
    this.deleteTransaction = this.committing((index: string, namespace: string, ids: string[]) => {
      statements.insertSegment.run({ index, ...encodeDelete(index, namespace, ids) });
    });
    this.deleteNamespaceTransaction = this.committing((index: string, namespace: string) => statements.deleteNamespaceSegments.run(index, namespace));
    this.rewriteTransaction = this.committing((index: string, namespace: string, rows: readonly number[], live: Iterable<SegmentBatch>) => {
      // The tally changes by what goes and what comes: recounting the index's rows at every step
      // of a compaction would cost O(segments) a step.
      const change = { segments: 0, records: 0 };
      for (const row of rows) {
        const removed = statements.deleteSegment.get(row);
        if (removed === undefined) continue;
        change.segments -= 1;
        if (removed.kind === SEGMENT_KIND.upsert) change.records -= removed.count;
      }
      for (const batch of live) {
        if (batch.ids.length === 0) continue;
        this.writeUpsert(index, namespace, batch);
        change.segments += 1;
        change.records += batch.ids.length;
      }
      return change;
    });
    for (const config of this.readConfigs()) this.dimensions.set(config.name, config.dimension);
  }

  /**
   * Opens the storage of a data directory, creating the directory and a new file when absent.
   * Before SQLite opens anything, checks the files against `facevault.manifest`; then the file's
   * magic and format version, its structure (`PRAGMA quick_check`: 0.05-0.2 s at 1M × 128-d
   * records, bench/storage-write.ts) and each index's counts; segment checksums are checked as
   * `replay` reads them.
   * @throws FV_ERR_INVALID_ARGUMENT when `options.synchronous` is not 'normal' or 'full'.
   * @throws FV_ERR_STORAGE_DAMAGED when the files hold less than the manifest recorded (the
   *   database file is missing or empty, its write-ahead log damaged or truncated, an index or
   *   records missing); nothing on disk is changed.
   * @throws FV_ERR_STORAGE_READONLY when the directory or a file in it cannot be written.
   * @throws FV_ERR_STORAGE_VERSION when the file was written by another major format version.
   * @throws FV_ERR_STORAGE_CORRUPT when the file is not a facevault database or fails its check.
   * @throws FV_ERR_STORAGE_LOCKED when another process holds the directory.
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
    prepareDirectory(dir);
    const file = join(dir, STORAGE_FILE_NAME);
    const manifest = ManifestFile.read(dir);
    const wal = scanWal(`${file}-wal`);
    const disk: OnDisk = { dbBytes: fileSize(file), wal, generation: generationOnDisk(file, wal) };
    const problems = findContradictions(manifest, disk);
    if (problems.length > 0) throw damagedError(dir, problems);

    let db: Database.Database;
    try {
      // timeout 0: a directory held by another process is reported at once, not after a wait.
      db = new Database(file, { timeout: 0 });
    } catch (err) {
      throw asStorageError(err, file);
    }
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
      const tally = readTally(db);
      const found = readGeneration(db);
      // SQLite now agrees with the pre-open reading of the files; the counts are the last check.
      const contradictions = findContradictions(manifest, { ...disk, generation: found, tally });
      if (contradictions.length > 0) throw damagedError(dir, contradictions);
      const generation = manifest === undefined ? found : manifest.generation + generationsAhead(found, manifest.generation);
      const state: ManifestState = { generation, indexes: Object.fromEntries(tally) };
      const manifestFile = ManifestFile.open(dir, state);
      manifestFile.write(state);
      manifestFile.sync();
      return new Storage(db, file, manifestFile, generation, tally);
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
      this.createIndexTransaction(config);
      this.dimensions.set(config.name, config.dimension);
      this.tally.set(config.name, { segments: 0, records: 0 });
      this.committed();
    });
  }

  /**
   * Replaces the stored config of the index named `config.name`.
   * @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  updateIndex(config: IndexConfig): void {
    this.use(() => {
      this.dimensionOf(config.name);
      this.updateIndexTransaction(config);
      this.dimensions.set(config.name, config.dimension);
      this.committed();
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
      this.tally.delete(name);
      this.committed();
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
   * @throws FV_ERR_STORAGE_FULL when the disk is full (nothing is written).
   * @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  appendUpsert(index: string, namespace: string, batch: SegmentBatch): void {
    this.use(() => {
      this.checkBatch(index, batch);
      if (batch.ids.length === 0) return;
      this.upsertTransaction(index, namespace, batch);
      const counts = this.tallyOf(index);
      counts.segments += 1;
      counts.records += batch.ids.length;
      this.committed();
    });
  }

  /**
   * Commits a tombstone segment: these ids of the namespace are deleted from here on in the log.
   * The vectors stay on disk until the namespace is compacted. Empty `ids` writes nothing.
   * @throws FV_ERR_RECORD_ID, FV_ERR_INVALID_ARGUMENT (lone surrogates), FV_ERR_STORAGE_FULL, FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  appendDelete(index: string, namespace: string, ids: string[]): void {
    this.use(() => {
      this.dimensionOf(index);
      if (ids.length === 0) return;
      this.deleteTransaction(index, namespace, ids);
      this.tallyOf(index).segments += 1;
      this.committed();
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
      this.deleteNamespaceTransaction(index, namespace);
      this.recount(index);
      this.committed();
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
   * The namespace's segments after row `afterRow` up to row `throughRow`, oldest first, checked
   * and decoded as `replay` hands them, until they hold `maxRecords` records or more: the pieces
   * a compaction rewrites one step at a time. Copy what you keep of the entries.
   * @throws FV_ERR_STORAGE_CORRUPT, FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  readSegments(index: string, namespace: string, afterRow: number, throughRow: number, maxRecords: number): (LogEntry & { row: number })[] {
    return this.use(() => {
      const dimension = this.dimensionOf(index);
      const found: (LogEntry & { row: number })[] = [];
      let records = 0;
      for (const segment of this.statements.selectNamespaceSegments.iterate(index, namespace, afterRow)) {
        if (segment.row > throughRow || records >= maxRecords) break;
        found.push({ ...decodeSegment(segment, { index, namespace, row: segment.row }, dimension), row: segment.row });
        records += segment.count;
      }
      return found;
    });
  }

  /** The namespace's newest segment row (0 when it has none): what a compaction started now covers. @throws FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED */
  lastRow(index: string, namespace: string): number {
    return this.use(() => {
      this.dimensionOf(index);
      return this.statements.selectLastRow.get(index, namespace)?.lastRow ?? 0;
    });
  }

  /**
   * Replaces the namespace's segments `rows` by segments holding exactly `live` (seqs kept as
   * given) appended after every other row, in one transaction: if `live` throws or a batch is
   * invalid, nothing changes. lastSeq is never lowered. Replay stays right when `live` holds only
   * current versions and `rows` is a prefix of the namespace's log (a tombstone there can only
   * concern versions in rows before it). The removed rows' pages are zeroed (`secure_delete`);
   * copies in the write-ahead log remain until `eraseRemoved`.
   * @throws FV_ERR_INVALID_ARGUMENT, FV_ERR_RECORD_ID as `appendUpsert`; FV_ERR_STORAGE_FULL, FV_ERR_INDEX_NOT_FOUND, FV_ERR_CLOSED
   */
  rewriteSegments(index: string, namespace: string, rows: readonly number[], live: Iterable<SegmentBatch>): void {
    this.use(() => {
      this.dimensionOf(index);
      const change = this.rewriteTransaction(index, namespace, rows, live);
      const counts = this.tallyOf(index);
      counts.segments += change.segments;
      counts.records += change.records;
      this.committed();
    });
  }

  /**
   * Checkpoints the write-ahead log into the database file and empties it, so that nothing of
   * the rows removed so far is left in the files. Cost: a checkpoint of at most 16 MiB of log.
   * @throws FV_ERR_CLOSED
   */
  eraseRemoved(): void {
    this.use(() => this.emptyWriteAheadLog());
  }

  /** Each index's segment and record counts, as the manifest records them. @throws FV_ERR_CLOSED */
  tallies(): Map<string, IndexTally> {
    return this.use(() => new Map([...this.tally].map(([name, counts]) => [name, { ...counts }])));
  }

  /** Bytes on disk of the database file and its write-ahead log. @throws FV_ERR_CLOSED */
  diskBytes(): number {
    return this.use(() => fileSize(this.file) + fileSize(`${this.file}-wal`));
  }

  /** Checkpoints and closes the file, then syncs the manifest. Idempotent; every other method throws FV_ERR_CLOSED afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.checkpointTimer);
    this.db.close();
    try {
      this.manifest.sync();
    } finally {
      this.manifest.close();
    }
  }

  private use<T>(operation: () => T): T {
    if (this.closed) throw fvError('FV_ERR_CLOSED', `storage ${this.file} was used after close()`, { file: this.file });
    try {
      return operation();
    } catch (err) {
      throw asStorageError(err, this.file);
    }
  }

  /** A transaction of `body` that also writes the next generation into the header; the caller then calls `committed`. */
  private committing<A extends unknown[], R>(body: (...args: A) => R): (...args: A) => R {
    return this.db.transaction((...args: A) => {
      const result = body(...args);
      // The header keeps 32 signed bits; read back unsigned (readGeneration).
      this.db.pragma(`user_version = ${headerGeneration(this.generation + 1) | 0}`);
      return result;
    });
  }

  /**
   * After a commit: count it, record it in the manifest, and make sure a checkpoint follows. The
   * commit is durable by now, so a failing manifest write must not fail the call (the engine
   * would leave memory behind the log): a manifest behind the database is accepted at open, and
   * the next commit writes the whole state again.
   */
  private committed(): void {
    this.generation += 1;
    try {
      this.manifest.write({ generation: this.generation, indexes: Object.fromEntries(this.tally) });
    } catch {
      // See above: the database is ahead of the manifest until the next write succeeds.
    }
    if (this.checkpointTimer === undefined) {
      this.checkpointTimer = setTimeout(() => this.checkpoint(), CHECKPOINT_DELAY_MS);
      this.checkpointTimer.unref();
    }
  }

  /**
   * The timer's passive checkpoint: copies the log into the database file and syncs it, then
   * syncs the manifest. A failure (a full disk) leaves the commits in the log, as durable as
   * before; the next commit schedules another attempt.
   */
  private checkpoint(): void {
    this.checkpointTimer = undefined;
    if (this.closed) return;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      this.manifest.sync();
    } catch {
      // See above.
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

  private tallyOf(index: string): IndexTally {
    const counts = this.tally.get(index);
    if (counts === undefined) throw fvError('FV_ERR_INDEX_NOT_FOUND', `no index named "${index}" in storage`, { index });
    return counts;
  }

  /** Counts the index's rows again after a write that removed some. */
  private recount(index: string): void {
    this.tally.set(index, readTally(this.db, index).get(index) ?? { segments: 0, records: 0 });
  }

  /** Checks that a batch's arrays agree with its ids and the index dimension. */
  private checkBatch(index: string, batch: SegmentBatch): void {
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
  }

  /** The body of a transaction: the caller has opened one. */
  private writeUpsert(index: string, namespace: string, batch: SegmentBatch): void {
    this.checkBatch(index, batch);
    const count = batch.ids.length;
    if (count === 0) return;
    this.statements.insertSegment.run({ index, ...encodeUpsert(index, namespace, batch) });
    let highest = 0;
    for (let i = 0; i < count; i++) highest = Math.max(highest, at(batch.seqs, i));
    this.statements.raiseLastSeq.run(highest, index);
  }

  private readConfigs(): IndexConfig[] {
    return this.statements.selectConfigs.all().map(({ config }) => parseConfig(config, this.file));
  }
}

/**
 * Creates the directory when absent and checks that this process may write there, so that a
 * read-only directory is one sentence at start instead of SQLite's or Node's stack trace.
 */
function prepareDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    // A recursive mkdir under a read-only mount fails with ENOENT: the nearest existing ancestor says why.
    throw asStorageError(writeAccessError(nearestExisting(dir)) ?? err, dir);
  }
  const denied = writeAccessError(dir);
  if (denied !== undefined) throw asStorageError(denied, dir);
}

function writeAccessError(path: string): unknown {
  try {
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (err) {
    return err;
  }
}

function nearestExisting(path: string): string {
  for (let current = path; ; current = dirname(current)) if (existsSync(current) || dirname(current) === current) return current;
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

function fileSize(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}
