/** Shared plumbing of the benchmarks: timing statistics, a printed table, a JSON result file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import os from 'node:os';
import { at } from '../../src/util/checked.js';

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const rank = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return at(sortedMs, rank);
}

export interface LatencySummary {
  p50: number;
  p99: number;
  mean: number;
  n: number;
}

export function summarize(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean, n: sorted.length };
}

/** Times each call of `fn` over the inputs, after `warmup` untimed calls. */
export async function timeEach<T>(inputs: readonly T[], fn: (input: T, i: number) => unknown, warmup = 20): Promise<LatencySummary> {
  for (let i = 0; i < Math.min(warmup, inputs.length); i++) await fn(inputs[i] as T, i);
  const samples: number[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const start = performance.now();
    await fn(inputs[i] as T, i);
    samples.push(performance.now() - start);
  }
  return summarize(samples);
}

export type Row = Record<string, string | number | boolean | null>;

export function printTable(title: string, rows: readonly Row[]): void {
  if (rows.length === 0) return;
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (v: Row[string] | undefined) => (typeof v === 'number' ? formatNumber(v) : String(v ?? ''));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => '| ' + values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ') + ' |';
  console.log(`\n## ${title}\n`);
  console.log(line(columns));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const row of rows) console.log(line(columns.map((c) => cell(row[c]))));
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const abs = Math.abs(v);
  return abs >= 100 ? v.toFixed(0) : abs >= 1 ? v.toFixed(2) : v.toFixed(4);
}

export function machineFacts(): Record<string, string | number> {
  return { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memGiB: Math.round(os.totalmem() / 2 ** 30), date: new Date().toISOString() };
}

export function writeResult(path: string, result: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nresult written to ${path}`);
}

/** Parses `--name value` and `--flag` arguments into a record. */
export function parseArgs(argv: readonly string[]): Record<string, string | true> {
  const args: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = at(argv, i);
    if (!arg.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      args[arg.slice(2)] = next;
      i++;
    } else {
      args[arg.slice(2)] = true;
    }
  }
  return args;
}
