/**
 * The tables of the log file and the reads shared by the live log (sqlite-log.ts) and the
 * offline tools that inspect or salvage a data directory (doctor.ts, salvage.ts).
 */
import type Database from 'better-sqlite3';
import type { IndexTally } from './manifest.js';
import { SEGMENT_KIND } from './segment-codec.js';

export const SCHEMA = `
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

/** The columns of a segment row as `SegmentRow` names them, with its rowid as `row`. */
export const SEGMENT_COLUMNS = 'id AS row, namespace, kind, count, checksum, ids, lengths, seqs, metadata, vectors';

const TALLY_SELECT = `
  SELECT catalog.name AS name, count(segments.id) AS segments,
         coalesce(sum(CASE WHEN segments.kind = ${SEGMENT_KIND.upsert} THEN segments.count END), 0) AS records
  FROM catalog LEFT JOIN segments ON segments.index_name = catalog.name`;
const TALLY_ALL = `${TALLY_SELECT} GROUP BY catalog.name`;
const TALLY_ONE = `${TALLY_SELECT} WHERE catalog.name = ? GROUP BY catalog.name`;

/** Each index of the catalog (or the one named) with its segment and record counts; reads only the rows' small columns. */
export function readTally(db: Database.Database, index?: string): Map<string, IndexTally> {
  type Row = { name: string } & IndexTally;
  const rows = index === undefined ? db.prepare<[], Row>(TALLY_ALL).all() : db.prepare<[string], Row>(TALLY_ONE).all(index);
  return new Map(rows.map(({ name, segments, records }) => [name, { segments, records }]));
}

/** The commit generation the header holds (user_version read as unsigned 32 bits). */
export function readGeneration(db: Database.Database): number {
  return (db.pragma('user_version', { simple: true }) as number) >>> 0;
}
