/**
 * Whether the files of a data directory hold what their manifest says was acknowledged: the one
 * judgement shared by the open path (which refuses) and `facevault doctor` (which reports).
 */
import { fvError } from '../../errors.js';
import { generationsAhead, type IndexTally, type ManifestState } from './manifest.js';
import type { WalScan } from './wal-file.js';

/** What an open of the directory would read. */
export interface OnDisk {
  /** Bytes of the database file; 0 when it is missing or empty. */
  dbBytes: number;
  wal: WalScan | undefined;
  /** The commit generation in the database header as an open will read it (undefined: no SQLite header). */
  generation: number | undefined;
  /** Each index's counts, once the database could be read; compared only when the generations agree. */
  tally?: ReadonlyMap<string, IndexTally>;
}

/** Each contradiction between the manifest and the files, as one sentence; empty when they agree. */
export function findContradictions(manifest: ManifestState | undefined, disk: OnDisk): string[] {
  const committedFrames = disk.wal?.frames.filter((frame) => frame.commitPages !== 0).length ?? 0;
  if (disk.dbBytes === 0) {
    const problems: string[] = [];
    if (manifest) problems.push(`facevault.db is missing or empty, but the manifest records ${describeState(manifest)}`);
    if (committedFrames > 0) problems.push(`facevault.db is missing or empty, but its write-ahead log holds ${committedFrames} committed transactions`);
    return problems;
  }
  if (manifest === undefined || disk.generation === undefined) return [];
  const ahead = generationsAhead(disk.generation, manifest.generation);
  if (ahead < 0) {
    return [
      `the manifest records ${describeState(manifest)}, but facevault.db with its write-ahead log holds only generation ${manifest.generation + ahead}: ` +
        `the last ${-ahead} acknowledged commits are missing${walExplanation(disk.wal)}`,
    ];
  }
  if (ahead > 0 || disk.tally === undefined) return [];
  return tallyContradictions(manifest, disk.tally);
}

/**
 * The error an open throws when the files contradict the manifest; it changes nothing on disk.
 * @param problems sentences from {@link findContradictions}.
 */
export function damagedError(dir: string, problems: readonly string[]): Error {
  return fvError(
    'FV_ERR_STORAGE_DAMAGED',
    `the data directory ${dir} is damaged: ${problems.join('; ')}. Nothing was opened or changed. ` +
      `Run \`facevault doctor --data ${dir}\` for a report, then \`facevault doctor --data ${dir} --recover\` to keep every intact batch (damaged files are moved aside, not deleted)`,
    { dir, problems },
  );
}

/** "generation 41 (index "faces": 40 segments, 16000 records)" */
export function describeState(state: ManifestState): string {
  const indexes = Object.entries(state.indexes).map(([name, tally]) => `index "${name}": ${describeTally(tally)}`);
  return `generation ${state.generation}${indexes.length > 0 ? ` (${indexes.join('; ')})` : ' (no indexes)'}`;
}

export function describeTally(tally: IndexTally): string {
  return `${tally.segments} segments, ${tally.records} records`;
}

function tallyContradictions(manifest: ManifestState, tally: ReadonlyMap<string, IndexTally>): string[] {
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(manifest.indexes)) {
    const found = tally.get(name);
    if (found === undefined) problems.push(`index "${name}" (${describeTally(expected)} in the manifest) is missing from facevault.db`);
    else if (found.segments !== expected.segments || found.records !== expected.records) {
      problems.push(`index "${name}" holds ${describeTally(found)}, the manifest records ${describeTally(expected)}`);
    }
  }
  for (const name of tally.keys()) {
    if (!(name in manifest.indexes)) problems.push(`index "${name}" is in facevault.db but not in the manifest`);
  }
  return problems;
}

function walExplanation(wal: WalScan | undefined): string {
  if (wal === undefined) return ' (there is no readable write-ahead log)';
  const size = `${wal.bytes} bytes`;
  if (wal.brokenAt !== undefined) {
    return ` (the write-ahead log, ${size}, fails its checksum at frame ${wal.brokenAt} of ${wal.frames.length}; SQLite reads none of the commits after it)`;
  }
  if (wal.trailingBytes > 0) return ` (the write-ahead log, ${size}, ends inside a frame: it was truncated)`;
  return ` (the write-ahead log, ${size}, ends after frame ${wal.readableFrames}: it was truncated or replaced)`;
}
