/**
 * The coded error a failed read or write of a data file stands for, so that a full disk or a
 * read-only directory reaches the user as one sentence with a code instead of SQLite's or
 * Node's text under FV_ERR_INTERNAL. Every writer of the data directory maps through here: the
 * SQLite log, its manifest, and the approximate-search snapshots (src/vector/ann).
 */
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { FacevaultError, fvError } from '../../errors.js';

/** Node's error codes for a disk or quota that has no room left. */
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);
/** Node's error codes for a file system mounted read-only or a file the process may not write. */
const READONLY_CODES = new Set(['EROFS', 'EACCES', 'EPERM']);

/**
 * Maps an error thrown while reading or writing `path` (a file in the data directory, or the
 * directory itself) to a coded error; anything not recognised is returned unchanged.
 *
 * - SQLite's `SQLITE_FULL`, Node's `ENOSPC` / `EDQUOT` → FV_ERR_STORAGE_FULL (507)
 * - SQLite's `SQLITE_READONLY*` and `SQLITE_CANTOPEN` (SQLite cannot create a file it needs), Node's
 *   `EROFS` / `EACCES` / `EPERM` → FV_ERR_STORAGE_READONLY
 * - SQLite's `SQLITE_CORRUPT*` / `SQLITE_NOTADB` → FV_ERR_STORAGE_CORRUPT
 * - SQLite's `SQLITE_BUSY*` → FV_ERR_STORAGE_LOCKED
 *
 * @example
 * try { writeFileSync(path, bytes); } catch (err) { throw asStorageError(err, path); }
 * // on a full disk: FacevaultError FV_ERR_STORAGE_FULL "the disk holding /data is full (ENOSPC writing /data/x): ..."
 */
export function asStorageError(err: unknown, path: string): unknown {
  if (err instanceof FacevaultError) return err;
  const code = errorCode(err);
  if (code === undefined) return err;
  const cause = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_FULL' || FULL_CODES.has(code)) {
    return fvError(
      'FV_ERR_STORAGE_FULL',
      `the disk holding ${dirname(path)} is full (${code} writing ${path}): the write was not applied; free space or move the data directory, then retry`,
      { path, cause: code },
      err,
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || READONLY_CODES.has(code)) {
    return readOnlyError(path, code, err);
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return fvError('FV_ERR_STORAGE_CORRUPT', `${path} cannot be read: ${cause} (${code})`, { file: path, sqliteCode: code }, err);
  }
  if (code.startsWith('SQLITE_BUSY')) {
    return fvError('FV_ERR_STORAGE_LOCKED', `${path} is in use by another facevault process (or another open database in this one)`, { file: path }, err);
  }
  return err;
}

/**
 * The one sentence for a data directory facevault cannot write.
 * @param path the directory, or the file in it that could not be written.
 */
export function readOnlyError(path: string, reason: string, cause?: unknown): Error {
  return fvError(
    'FV_ERR_STORAGE_READONLY',
    `cannot write ${path} (${reason}): facevault keeps its database, write-ahead log and manifest in the data directory and must be able to write there; ` +
      'make it writable for the user running facevault, or choose another directory with --data',
    { path, reason },
    cause,
  );
}

function errorCode(err: unknown): string | undefined {
  if (err instanceof Database.SqliteError) return err.code;
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string') return (err as NodeJS.ErrnoException).code;
  return undefined;
}
