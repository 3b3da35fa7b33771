/**
 * Reads what can still be read from a damaged log file, one row at a time, so that one unreadable
 * page costs the rows on it and nothing else. Used by `facevault doctor` (to count what fails)
 * and its `--recover` (to keep what does not). A segment counts as intact only when SQLite can
 * read its row and the row passes its crc32 (segment-codec.ts).
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { fvError } from '../../errors.js';
import type { IndexConfig } from '../types.js';
import { SEGMENT_COLUMNS } from './schema.js';
import { decodeSegment, type SegmentRow } from './segment-codec.js';
import { asStorageError } from './storage-errors.js';
import type { LogEntry } from './types.js';

/** The index configs the catalog still yields, and what it could not. */
export interface SalvagedCatalog {
  configs: Map<string, IndexConfig>;
  problems: string[];
}

/** A segment that could not be kept, and why. */
export interface LostSegment {
  row: number;
  /** Absent when not even the row's index could be read. */
  index?: string;
  namespace?: string;
  /** Records in the segment, when its row could be read. */
  count?: number;
  reason: string;
}

export interface IntactSegment {
  row: number;
  index: string;
  entry: LogEntry;
  count: number;
}

/**
 * Runs `use` on a read-only connection to `file`. SQLite reads the write-ahead log as an open
 * would, but a read-only connection never checkpoints or deletes it; the `-shm` (and empty
 * `-wal`) files it creates for itself are removed afterwards.
 * @throws FV_ERR_STORAGE_LOCKED when a running facevault holds the file; FV_ERR_STORAGE_CORRUPT when it is missing, empty or not an SQLite file.
 */
export function withReadOnlyDatabase<T>(file: string, use: (db: Database.Database) => T): T {
  // SQLite deletes the write-ahead log of an empty database file as it opens it, read-only or not.
  if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) === 0) {
    throw fvError('FV_ERR_STORAGE_CORRUPT', `${file} is missing or empty`, { file });
  }
  const created = [`${file}-shm`, `${file}-wal`].filter((path) => !existsSync(path));
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return use(db);
  } catch (err) {
    throw asStorageError(err, file);
  } finally {
    db?.close();
    for (const path of created) {
      const bytes = statSync(path, { throwIfNoEntry: false })?.size;
      // SQLite's scratch index, or a log it created empty: neither holds anything of ours.
      if (bytes !== undefined && (path.endsWith('-shm') || bytes === 0)) rmSync(path);
    }
  }
}

/** Every index config the catalog still yields. */
export function salvageCatalog(db: Database.Database): SalvagedCatalog {
  const configs = new Map<string, IndexConfig>();
  const problems: string[] = [];
  readEach<{ name: string; config: string }>(db, 'SELECT name, config FROM catalog', problems, 'the catalog', ({ name, config }) => {
    try {
      configs.set(name, JSON.parse(config) as IndexConfig);
    } catch {
      problems.push(`the config of index "${name}" is not JSON`);
    }
  });
  return { configs, problems };
}

/** The segments that could not be kept, and what could not be read at all. */
export interface SegmentSalvage {
  lost: LostSegment[];
  problems: string[];
}

/**
 * Calls `keep` with each intact segment in commit order. Row ids are gathered from the table and
 * from both of its indexes, so a damaged page of one still leaves the rows the others list.
 */
export function salvageSegments(db: Database.Database, configs: ReadonlyMap<string, IndexConfig>, keep: (segment: IntactSegment) => void): SegmentSalvage {
  const rows = new Set<number>();
  const problems: string[] = [];
  for (const source of ['NOT INDEXED', 'INDEXED BY segments_by_index', 'INDEXED BY segments_by_namespace']) {
    readEach<{ id: number }>(db, `SELECT id FROM segments ${source}`, problems, `the segments (${source})`, ({ id }) => rows.add(id));
  }
  if (rows.size === 0) return { lost: [], problems };
  const select = db.prepare<[number], SegmentRow & { row: number; indexName: string }>(`SELECT index_name AS indexName, ${SEGMENT_COLUMNS} FROM segments WHERE id = ?`);
  const lost: LostSegment[] = [];
  for (const id of [...rows].sort((a, b) => a - b)) {
    let row: (SegmentRow & { row: number; indexName: string }) | undefined;
    try {
      row = select.get(id);
    } catch (err) {
      lost.push({ row: id, reason: messageOf(err) });
      continue;
    }
    if (row === undefined) continue;
    const where = { index: row.indexName, namespace: row.namespace, row: id, count: row.count };
    const config = configs.get(row.indexName);
    if (config === undefined) {
      lost.push({ ...where, reason: `index "${row.indexName}" has no readable config` });
      continue;
    }
    try {
      keep({ row: id, index: row.indexName, entry: decodeSegment(row, where, config.dimension), count: row.count });
    } catch (err) {
      lost.push({ ...where, reason: messageOf(err) });
    }
  }
  return { lost, problems };
}

/** Runs `visit` on each row the query yields until the end or the first unreadable page; records the failure. */
function readEach<T>(db: Database.Database, sql: string, problems: string[], what: string, visit: (row: T) => void): void {
  try {
    for (const row of db.prepare<[], T>(sql).iterate()) visit(row);
  } catch (err) {
    problems.push(`${what} cannot be read to the end: ${messageOf(err)}`);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
