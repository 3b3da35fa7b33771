/**
 * `facevault doctor --data DIR [--recover] [--json]`: examines a data directory without changing
 * it (exit 0 healthy, 1 damaged); with --recover, rebuilds it from every intact batch, moves the
 * damaged files into DIR/damaged-<time>/ and prints what was lost (exit 0 once rebuilt).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeState, describeTally } from '../vector/storage/consistency.js';
import { diagnose, type Diagnosis } from '../vector/storage/doctor.js';
import { recoverDataDirectory, type Recovery } from '../vector/storage/recover.js';

interface DoctorFlags {
  data: string;
  recover?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('Check a data directory against its manifest (exit 0 healthy, 1 damaged); --recover keeps every intact batch')
    .requiredOption('--data <dir>', 'the data directory to examine')
    .option('--recover', 'rebuild the directory from its intact batches, moving the damaged files into DIR/damaged-<time>/')
    .option('--json', 'print the report as JSON')
    .action((flags: DoctorFlags) => {
      const dir = resolve(flags.data);
      const diagnosis = diagnose(dir);
      const healthy = diagnosis.problems.length === 0;
      const recovery = flags.recover && !healthy ? recoverDataDirectory(dir) : undefined;
      if (flags.json) process.stdout.write(`${JSON.stringify({ healthy, diagnosis, recovery }, jsonValue, 2)}\n`);
      else process.stdout.write(`${[...diagnosisLines(diagnosis), ...(flags.recover ? recoveryLines(recovery) : adviceLines(diagnosis))].join('\n')}\n`);
      process.exitCode = healthy || recovery ? 0 : 1;
    });
}

function diagnosisLines(d: Diagnosis): string[] {
  const lines = [`facevault doctor: ${d.dir}`, 'files:'];
  for (const file of d.files) lines.push(`  ${file.name}${file.directory ? '/' : ''}  ${file.bytes} bytes`);
  if (d.files.length === 0) lines.push('  (none)');
  lines.push(`manifest: ${d.manifest ? describeState(d.manifest) : 'none or unreadable'}`);
  if (d.wal === undefined) lines.push('write-ahead log: none (the database was closed cleanly, or its log is unreadable)');
  else {
    const { bytes, frames, readableFrames, brokenAt, trailingBytes } = d.wal;
    lines.push(
      `write-ahead log: ${bytes} bytes, ${frames.length} frames of the current cycle, SQLite reads ${readableFrames}` +
        (brokenAt === undefined ? '' : `; frame ${brokenAt} fails its checksum and SQLite reads nothing after it`) +
        (trailingBytes > 0 ? `; ends with ${trailingBytes} bytes of an incomplete frame` : ''),
    );
  }
  if (d.database === undefined) lines.push('database: not readable (see the problems)');
  else {
    const { generation, tally, integrity, lostSegments } = d.database;
    lines.push(`database as an open reads it: generation ${generation}, integrity_check ${integrity.join('; ')}, ${lostSegments.length} segments unreadable or failing their checksum`);
    for (const [name, counts] of tally) lines.push(`  index "${name}": ${describeTally(counts)}`);
  }
  lines.push(d.problems.length === 0 ? 'healthy' : 'DAMAGED:');
  for (const problem of d.problems) lines.push(`  - ${problem}`);
  return lines;
}

function adviceLines(d: Diagnosis): string[] {
  return d.problems.length === 0 ? [] : [`run \`facevault doctor --data ${d.dir} --recover\` to keep every intact batch (damaged files are moved aside, not deleted)`];
}

function recoveryLines(r: Recovery | undefined): string[] {
  if (r === undefined) return ['nothing to recover'];
  const lines = [`recovered: the old files (${r.moved.join(', ')}) are in ${r.damagedDir}`];
  for (const { name, expected, kept } of r.indexes) {
    const lostSegments = expected ? expected.segments - kept.segments : undefined;
    const lostRecords = expected ? expected.records - kept.records : undefined;
    lines.push(
      `  index "${name}": kept ${describeTally(kept)}` +
        (expected ? ` of ${describeTally(expected)} recorded; lost ${lostSegments} segments, ${lostRecords} records` : ' (the manifest did not record it)'),
    );
  }
  for (const segment of r.lost) {
    const where = segment.index === undefined ? '' : ` of index "${segment.index}", namespace ${JSON.stringify(segment.namespace ?? '')}`;
    lines.push(`  lost segment row ${segment.row}${where}${segment.count === undefined ? '' : ` (${segment.count} records)`}: ${segment.reason}`);
  }
  for (const problem of r.problems) lines.push(`  unreadable: ${problem}`);
  return lines;
}

/** Maps as objects, and the write-ahead log's frame list as its length (it can hold thousands). */
function jsonValue(key: string, value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries(value);
  if (key === 'frames' && Array.isArray(value)) return value.length;
  return value;
}
