/**
 * `facevault doctor --recover`: rebuilds a data directory from every batch that is still intact.
 *
 * The log is read from a copy with the write-ahead log applied by hand (wal-file.ts
 * `applyFrames`), so commits behind a damaged frame, which SQLite itself would drop, are kept
 * when their own pages are intact. Each readable segment that passes its checksum is written,
 * in commit order, into a new log in a staging directory; only when that is complete are the
 * old files (database, log, manifest, and the graph snapshots, which were built from the old
 * log and are rebuilt from the new one) moved into `damaged-<time>/` — never deleted — and the
 * new files moved in. A failure before that leaves the directory as it was.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isFacevaultError } from '../../errors.js';
import { syncDirectory } from './durable-fs.js';
import { MANIFEST_FILE_NAME, ManifestFile, type IndexTally, type ManifestState } from './manifest.js';
import { salvageCatalog, salvageSegments, withReadOnlyDatabase, type LostSegment } from './salvage.js';
import { Storage, STORAGE_FILE_NAME } from './sqlite-log.js';
import { applyFrames, scanWal } from './wal-file.js';

/** The graph snapshots' directory (src/vector/ann): derived from the log, so set aside with it. */
const ANN_DIR = 'ann';

export interface IndexRecovery {
  name: string;
  /** What the manifest recorded, when it was readable. */
  expected: IndexTally | undefined;
  kept: IndexTally;
}

export interface Recovery {
  /** Where the old files now are. */
  damagedDir: string;
  moved: string[];
  /** Every index kept, and every index the manifest recorded. */
  indexes: IndexRecovery[];
  /** Segments that could not be kept. */
  lost: LostSegment[];
  /** What could not be read at all (the catalog, a list of segments, the manifest). */
  problems: string[];
}

/**
 * Rebuilds `dir` from its intact batches, as described above.
 * @throws FV_ERR_STORAGE_LOCKED when a running facevault holds the directory (stop it first).
 * @throws FV_ERR_STORAGE_FULL when there is no room for the rebuilt log (nothing is changed).
 */
export function recoverDataDirectory(dir: string, now: Date = new Date()): Recovery {
  assertNotInUse(join(dir, STORAGE_FILE_NAME));
  const problems: string[] = [];
  const manifest = readManifestLeniently(dir, problems);
  const staging = mkdtempSync(join(dir, '.recovering-'));
  try {
    const rebuilt = join(staging, 'rebuilt');
    const { lost, kept } = rebuildLog(dir, staging, rebuilt, problems);
    const damagedDir = join(dir, `damaged-${now.toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(damagedDir);
    const moved = [STORAGE_FILE_NAME, `${STORAGE_FILE_NAME}-wal`, `${STORAGE_FILE_NAME}-shm`, MANIFEST_FILE_NAME, ANN_DIR].filter((name) => existsSync(join(dir, name)));
    for (const name of moved) renameSync(join(dir, name), join(damagedDir, name));
    syncDirectory(damagedDir);
    for (const name of [STORAGE_FILE_NAME, MANIFEST_FILE_NAME]) renameSync(join(rebuilt, name), join(dir, name));
    syncDirectory(dir);
    return { damagedDir, moved, indexes: compare(manifest, kept), lost, problems };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Salvages the old log into a new one at `rebuilt`; returns what was lost and what the new one holds. */
function rebuildLog(dir: string, staging: string, rebuilt: string, problems: string[]): { lost: LostSegment[]; kept: Map<string, IndexTally> } {
  const file = join(dir, STORAGE_FILE_NAME);
  const copy = join(staging, STORAGE_FILE_NAME);
  if (existsSync(file)) copyFileSync(file, copy);
  else writeFileSync(copy, '');
  const wal = scanWal(`${file}-wal`);
  if (wal !== undefined) applyFrames(copy, `${file}-wal`, wal);

  const storage = Storage.open(rebuilt);
  try {
    const lost = withReadOnlyDatabase(copy, (db) => {
      const catalog = salvageCatalog(db);
      problems.push(...catalog.problems);
      for (const config of catalog.configs.values()) storage.createIndex(config);
      const segments = salvageSegments(db, catalog.configs, ({ index, entry }) => {
        if (entry.kind === 'upsert') storage.appendUpsert(index, entry.namespace, entry.batch);
        else if (entry.kind === 'delete') storage.appendDelete(index, entry.namespace, entry.ids);
      });
      problems.push(...segments.problems);
      return segments.lost;
    });
    return { lost, kept: storage.tallies() };
  } catch (err) {
    // A copy with no SQLite header left: nothing of the log can be read, every batch is lost.
    if (!isFacevaultError(err, 'FV_ERR_STORAGE_CORRUPT')) throw err;
    problems.push(`facevault.db cannot be read at all: ${err.message}`);
    return { lost: [], kept: new Map() };
  } finally {
    storage.close();
  }
}

/** Copying the files of a directory a running facevault writes to would salvage a moving target. */
function assertNotInUse(file: string): void {
  try {
    withReadOnlyDatabase(file, () => undefined);
  } catch (err) {
    if (isFacevaultError(err, 'FV_ERR_STORAGE_LOCKED')) throw err;
  }
}

function readManifestLeniently(dir: string, problems: string[]): ManifestState | undefined {
  try {
    return ManifestFile.read(dir);
  } catch (err) {
    if (!isFacevaultError(err, 'FV_ERR_STORAGE_DAMAGED')) throw err;
    problems.push(err.message);
    return undefined;
  }
}

function compare(manifest: ManifestState | undefined, kept: ReadonlyMap<string, IndexTally>): IndexRecovery[] {
  const names = new Set([...Object.keys(manifest?.indexes ?? {}), ...kept.keys()]);
  return [...names].sort().map((name) => ({ name, expected: manifest?.indexes[name], kept: kept.get(name) ?? { segments: 0, records: 0 } }));
}
