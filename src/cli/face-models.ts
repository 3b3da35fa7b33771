/**
 * `facevault models`: the recognition models this installation can run, with their thresholds.
 *
 *   facevault models          # a table
 *   facevault models --json   # one JSON line: { default, models: [{ name, aliases, dimension, ..., thresholds, confidenceSlope, fusion? }] }
 */
import type { Command } from 'commander';
import { DEFAULT_MODEL, MODEL_REGISTRY, type ModelEntry } from '../face/models/registry.js';
import { faceCommand, printJson, runFaceCommand } from './face-cli.js';

export function register(program: Command): void {
  faceCommand(program, 'models')
    .description('List the recognition models, their dimensions and verification thresholds')
    .option('--json', 'one JSON line: { default, models: [...] }, thresholds and licences included')
    .action((flags: { json?: boolean }) =>
      runFaceCommand('models', () => Object.values(MODEL_REGISTRY), async (entries) => {
        if (flags.json) printJson({ default: DEFAULT_MODEL, models: entries.map(describeModel) });
        else printTable(entries);
      }),
    );
}

/** A registry entry as data: its facts, without the code that runs it. */
function describeModel(entry: ModelEntry) {
  return {
    ...entry.info,
    aliases: entry.aliases,
    confidenceSlope: entry.confidenceSlope,
    ...(entry.kind === 'fusion' && { fusion: entry.parts }),
  };
}

function printTable(entries: readonly ModelEntry[]): void {
  const rows = entries.map((entry) => {
    const { name, dimension, inputSize, runtime, thresholds } = entry.info;
    return [
      name === DEFAULT_MODEL ? `${name} *` : name,
      String(dimension),
      `${inputSize}×${inputSize}`,
      [runtime].flat().join(' + '),
      String(thresholds.cosine),
      String(thresholds.euclidean),
      String(thresholds.euclidean_l2),
      entry.aliases.join(', '),
    ];
  });
  const header = ['model', 'dims', 'input', 'runtime', 'cosine', 'euclidean', 'euclidean_l2', 'aliases'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  console.log('* default. Verified when distance <= threshold (calibrated on LFW-a View 1); `facevault models --json` adds weights, licences and provenance.');
}
