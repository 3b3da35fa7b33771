/**
 * `facevault doctor`'s examination of a data directory, changing nothing in it: its files, the
 * manifest against what an open would read, the write-ahead log frame by frame, SQLite's
 * integrity_check and every segment's checksum. Healthy when it finds no problem; then an open
 * succeeds and replays every segment.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { fvError, isFacevaultError } from '../../errors.js';
import { findContradictions } from './consistency.js';
import { ManifestFile, type IndexTally, type ManifestState } from './manifest.js';
import { readGeneration, readTally } from './schema.js';
import { salvageCatalog, salvageSegments, withReadOnlyDatabase, type LostSegment } from './salvage.js';
import { STORAGE_FILE_NAME } from './sqlite-log.js';
import { generationOnDisk, scanWal, type WalScan } from './wal-file.js';

export interface DirectoryEntry {
  name: string;
  /** Bytes of the file, or of every file under the directory. */
  bytes: number;
  directory: boolean;
}

/** What SQLite reads from the database file and its log, when it can. */
export interface DatabaseReading {
  generation: number;
  tally: Map<string, IndexTally>;
  /** `PRAGMA integrity_check`: ['ok'] or the first problems it lists. */
  integrity: string[];
  /** Segments whose row cannot be read or fails its checksum. */
  lostSegments: LostSegment[];
  /** Parts of the catalog or of the list of segments that cannot be read to the end. */
  unreadable: string[];
}

export interface Diagnosis {
  dir: string;
  files: DirectoryEntry[];
  /** Undefined when absent or unreadable (then a problem says so). */
  manifest: ManifestState | undefined;
  wal: WalScan | undefined;
  /** The commit generation an open would read, from the files themselves. */
  generation: number | undefined;
  database: DatabaseReading | undefined;
  /** One sentence per problem found; the directory is healthy when there is none. */
  problems: string[];
}

/** How many integrity_check findings to report. */
const INTEGRITY_LIMIT = 10;

/**
 * Examines the data directory `dir` without changing it.
 * @example
 * const { problems } = diagnose('/var/lib/facevault'); // → [] when healthy
 * @throws FV_ERR_INVALID_ARGUMENT when `dir` is not a directory.
 * @throws FV_ERR_STORAGE_LOCKED when a running facevault holds it (stop it first).
 */
export function diagnose(dir: string): Diagnosis {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `${dir} is not a directory`, { field: 'data', value: dir });
  }
  const problems: string[] = [];
  const file = join(dir, STORAGE_FILE_NAME);
  let manifest: ManifestState | undefined;
  try {
    manifest = ManifestFile.read(dir);
  } catch (err) {
    if (!isFacevaultError(err, 'FV_ERR_STORAGE_DAMAGED')) throw err;
    problems.push(err.message);
  }
  const wal = scanWal(`${file}-wal`);
  const generation = generationOnDisk(file, wal);
  const dbBytes = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  let database: DatabaseReading | undefined;
  if (dbBytes > 0) {
    try {
      database = withReadOnlyDatabase(file, readDatabase);
    } catch (err) {
      if (isFacevaultError(err, 'FV_ERR_STORAGE_LOCKED')) throw err;
      problems.push(`facevault.db cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  problems.push(...findContradictions(manifest, { dbBytes, wal, generation, tally: database?.tally }));
  if (database) problems.push(...database.unreadable);
  if (database && database.integrity[0] !== 'ok') problems.push(`SQLite's integrity_check fails: ${database.integrity.join('; ')}`);
  if (database && database.lostSegments.length > 0) {
    const records = database.lostSegments.reduce((sum, segment) => sum + (segment.count ?? 0), 0);
    problems.push(`${database.lostSegments.length} segments (${records} records) cannot be read or fail their checksum`);
  }
  return { dir, files: listFiles(dir), manifest, wal, generation, database, problems };
}

function readDatabase(db: Database.Database): DatabaseReading {
  const integrity = (db.pragma(`integrity_check(${INTEGRITY_LIMIT})`) as { integrity_check: string }[]).map((row) => row.integrity_check);
  const catalog = salvageCatalog(db);
  const { lost, problems } = salvageSegments(db, catalog.configs, () => undefined);
  return { generation: readGeneration(db), tally: readTally(db), integrity, lostSegments: lost, unreadable: [...catalog.problems, ...problems] };
}

function listFiles(dir: string): DirectoryEntry[] {
  return readdirSync(dir, { withFileTypes: true })
    .map((entry) => ({ name: entry.name, directory: entry.isDirectory(), bytes: bytesUnder(join(dir, entry.name)) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function bytesUnder(path: string): number {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats?.isDirectory()) return stats?.size ?? 0;
  return readdirSync(path).reduce((sum, name) => sum + bytesUnder(join(path, name)), 0);
}
