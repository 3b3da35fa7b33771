/**
 * SQLite's write-ahead log and database header read without SQLite
 * (https://www.sqlite.org/fileformat2.html#walformat), for two jobs SQLite cannot do for us:
 *
 * - Knowing, before SQLite touches the files, which commits an open will see. Once SQLite has
 *   opened a damaged log, closing the connection checkpoints what it could read and deletes the
 *   log; opening an empty database file deletes its log at once. Either way the evidence, and
 *   the intact commits behind the damage, would be gone.
 * - Recovering the commits behind a damaged frame. SQLite's recovery stops at the first frame
 *   whose checksum fails; the frames after it are usually intact (each frame's checksum is
 *   seeded by the one stored in its predecessor, so each can be checked on its own).
 */
import { closeSync, ftruncateSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
/** The low bit says whether the checksums read the log as big-endian 32-bit words. */
const WAL_MAGIC = 0x377f0682;
const DB_HEADER = Buffer.from('SQLite format 3\u0000', 'latin1');
const DB_HEADER_BYTES = 100;
/** The database header's user_version (big-endian, offset 60), where the log keeps its commit generation. */
const USER_VERSION_OFFSET = 60;

/** One complete frame of the log's current cycle (its salts are the header's). */
export interface WalFrame {
  /** 1-based position in the file. */
  number: number;
  /** Byte offset of the frame header. */
  offset: number;
  pageNumber: number;
  /** For the last frame of a transaction: the database size in pages after it; else 0. */
  commitPages: number;
  /** The frame's checksum matches its content, seeded by its predecessor's stored checksum. */
  intact: boolean;
}

export interface WalScan {
  /** Size of the file in bytes. */
  bytes: number;
  pageSize: number;
  /** Every complete frame of the current cycle, in file order (frames of earlier cycles are stale and left out). */
  frames: WalFrame[];
  /**
   * Frames SQLite's recovery applies: the unbroken chain from the start, up to its last commit
   * frame. Frames after it are an unfinished transaction, or lost to damage.
   */
  readableFrames: number;
  /** Number of the first frame where SQLite's chain breaks while committed frames of the current cycle follow it. */
  brokenAt: number | undefined;
  /** Bytes at the end too few for a whole frame (a truncated file, or a write cut by a crash). */
  trailingBytes: number;
}

/**
 * Reads the log at `path`. Undefined when there is no log, or none SQLite would read (empty,
 * or a header that fails its checksum: SQLite then ignores the whole file).
 */
export function scanWal(path: string): WalScan | undefined {
  const bytes = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  if (bytes < WAL_HEADER_BYTES) return undefined;
  const file = readFileSync(path);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = view.getUint32(0);
  const pageSize = view.getUint32(8);
  if ((magic & ~1) >>> 0 !== WAL_MAGIC || pageSize < 512 || pageSize > 65_536 || (pageSize & (pageSize - 1)) !== 0) return undefined;
  const littleEndian = (magic & 1) === 0;
  const headerSum = checksum(view, 0, WAL_HEADER_BYTES - 8, littleEndian, 0, 0);
  if (headerSum[0] !== view.getUint32(24) || headerSum[1] !== view.getUint32(28)) return undefined;
  const salt1 = view.getUint32(16);
  const salt2 = view.getUint32(20);

  const frameBytes = FRAME_HEADER_BYTES + pageSize;
  const frames: WalFrame[] = [];
  let seed: [number, number] = [view.getUint32(24), view.getUint32(28)];
  let chainUnbroken = true;
  let readableFrames = 0;
  let brokenAt: number | undefined;
  let offset = WAL_HEADER_BYTES;
  for (let number = 1; offset + frameBytes <= bytes; number++, offset += frameBytes) {
    const stored: [number, number] = [view.getUint32(offset + 16), view.getUint32(offset + 20)];
    const current = view.getUint32(offset + 8) === salt1 && view.getUint32(offset + 12) === salt2;
    const pageNumber = view.getUint32(offset);
    let sum = checksum(view, offset, 8, littleEndian, seed[0], seed[1]);
    sum = checksum(view, offset + FRAME_HEADER_BYTES, pageSize, littleEndian, sum[0], sum[1]);
    const intact = current && pageNumber !== 0 && sum[0] === stored[0] && sum[1] === stored[1];
    seed = stored;
    if (current && pageNumber !== 0) frames.push({ number, offset, pageNumber, commitPages: view.getUint32(offset + 4), intact });
    if (chainUnbroken && intact) {
      if (view.getUint32(offset + 4) !== 0) readableFrames = number;
    } else if (chainUnbroken) {
      chainUnbroken = false;
      brokenAt = number;
    }
  }
  const lastCommit = frames.findLast((frame) => frame.commitPages !== 0);
  if (brokenAt !== undefined && (lastCommit === undefined || lastCommit.number < brokenAt)) brokenAt = undefined;
  return { bytes, pageSize, frames, readableFrames, brokenAt, trailingBytes: offset < bytes ? bytes - offset : 0 };
}

/**
 * The commit generation an open of `dbFile` will see (its user_version, unsigned): page 1 as of
 * the last commit SQLite reads from the log, else the database file's own header. Undefined
 * when neither holds an SQLite header.
 */
export function generationOnDisk(dbFile: string, wal: WalScan | undefined): number | undefined {
  if (wal !== undefined) {
    const page1 = wal.frames.findLast((frame) => frame.number <= wal.readableFrames && frame.intact && frame.pageNumber === 1);
    if (page1 !== undefined) return userVersionOf(readBytes(`${dbFile}-wal`, page1.offset + FRAME_HEADER_BYTES, DB_HEADER_BYTES));
  }
  return userVersionOf(readBytes(dbFile, 0, DB_HEADER_BYTES));
}

/**
 * Checkpoints by hand into `target` (a copy of the database file, possibly empty): every
 * committed frame of the current cycle written over it in order — the intact ones and, behind a
 * break, the damaged ones too: a damaged page usually spoils one row, while the older version
 * SQLite would fall back to is wrong for every row on it. The caller then reads what it can, row
 * by row. Returns the number of frames applied.
 */
export function applyFrames(target: string, walFile: string, wal: WalScan): number {
  const lastCommit = wal.frames.findLast((frame) => frame.commitPages !== 0);
  if (lastCommit === undefined) return 0;
  const { pageSize } = wal;
  const pages = lastCommit.commitPages;
  const log = readFileSync(walFile);
  const fd = openSync(target, 'r+');
  let applied = 0;
  try {
    ftruncateSync(fd, pages * pageSize);
    for (const frame of wal.frames) {
      if (frame.number > lastCommit.number) break;
      if (frame.pageNumber > pages) continue;
      writeSync(fd, log, frame.offset + FRAME_HEADER_BYTES, pageSize, (frame.pageNumber - 1) * pageSize);
      applied += 1;
    }
  } finally {
    closeSync(fd);
  }
  return applied;
}

/** SQLite's WAL checksum: 32-bit words taken two at a time (sqlite3 wal.c walChecksumBytes). */
function checksum(view: DataView, start: number, length: number, littleEndian: boolean, s1: number, s2: number): [number, number] {
  for (let i = start; i < start + length; i += 8) {
    s1 = (s1 + view.getUint32(i, littleEndian) + s2) >>> 0;
    s2 = (s2 + view.getUint32(i + 4, littleEndian) + s1) >>> 0;
  }
  return [s1, s2];
}

function userVersionOf(header: Buffer): number | undefined {
  if (header.length < DB_HEADER_BYTES || !header.subarray(0, DB_HEADER.length).equals(DB_HEADER)) return undefined;
  return header.readUInt32BE(USER_VERSION_OFFSET);
}

function readBytes(path: string, position: number, length: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, readSync(fd, buffer, 0, length, position));
  } finally {
    closeSync(fd);
  }
}
