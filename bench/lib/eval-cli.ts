/**
 * What the verification benches share: their command-line options, embedding a dataset's
 * images with the pipeline, and writing the JSON and the ROC plot.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { FACE_SELECTIONS, type FaceSelection } from '../../src/face/detect/select.js';
import { DISTANCE_METRICS, parseMetric } from '../../src/face/distance.js';
import { resolveModel } from '../../src/face/models/registry.js';
import type { DistanceMetric } from '../../src/face/types.js';
import { embedImages, type EmbeddingRun } from './embed-images.js';
import { openPipelineEmbedder } from './face-embedder.js';
import { renderRocSvg, writeSvgAsPng, type RocSeries } from './plot.js';
import { DEFAULT_SELECT, runName, type ImageStats, type RunSettings } from './results.js';
import { progressPrinter } from './verification-eval.js';

export interface EvalArgs extends RunSettings {
  readonly data: string;
  /** The run's name (model, then -flip, -largest...): names the output files. */
  readonly name: string;
  readonly metrics: readonly DistanceMetric[];
  readonly limit: number | undefined;
  readonly workers: number;
  readonly out: string;
  /** The exact command, for the JSON. */
  readonly command: string;
}

/**
 * Reads `--data --model --metric --limit --workers --flip --select --out`, plus `extra` string options.
 * Exits 0 with a skip message when a required dataset file is missing.
 * @throws FV_ERR_MODEL_UNKNOWN for an unknown model or metric, listing the allowed names.
 */
export function parseEvalArgs<E extends string>(
  bench: { readonly script: string; readonly dataset: string; readonly defaultData: string; readonly requiredFiles: readonly string[] },
  extra: readonly E[] = [],
): EvalArgs & { readonly extra: Partial<Record<E, string>> } {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: bench.defaultData },
      model: { type: 'string' },
      metric: { type: 'string', multiple: true },
      limit: { type: 'string' },
      workers: { type: 'string', default: '2' },
      flip: { type: 'boolean', default: false },
      select: { type: 'string', default: DEFAULT_SELECT },
      out: { type: 'string' },
      ...Object.fromEntries(extra.map((e) => [e, { type: 'string' as const }])),
    },
  });
  const missing = bench.requiredFiles.map((f) => join(values.data as string, f)).filter((f) => !existsSync(f));
  if (missing.length > 0) {
    console.log(`${bench.dataset} not found (missing ${missing.join(', ')}): skipping. Pass --data DIR holding ${bench.requiredFiles.join(', ')}.`);
    process.exit(0);
  }
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 0) throw new Error(`--workers must be an integer >= 0 (0: in this thread); got ${String(values.workers)}`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  const model = resolveModel(values.model as string | undefined).info.name;
  const flip = values.flip as boolean;
  const select = values.select as FaceSelection;
  if (!FACE_SELECTIONS.includes(select)) throw new Error(`--select must be one of ${FACE_SELECTIONS.join(', ')}; got ${select}`);
  const name = runName({ model, flip, select });
  const prefix = bench.script.replace(/^eval-/, '');
  return {
    data: values.data as string,
    model,
    name,
    metrics: values.metric ? (values.metric as string[]).map(parseMetric) : DISTANCE_METRICS,
    limit,
    workers,
    flip,
    select,
    out: (values.out as string | undefined) ?? `bench/results/${prefix}-${name}${limit === undefined ? '' : `-limit${limit}`}.json`,
    command: `npx tsx bench/${bench.script}.ts ${process.argv.slice(2).join(' ')}`.trim(),
    extra: Object.fromEntries(extra.map((e) => [e, (values as Record<string, unknown>)[e]])) as Partial<Record<E, string>>,
  };
}

/** Embeds every image with the pipeline (each once) and sums up failures and speed. */
export async function embedDataset(args: EvalArgs, images: readonly string[], label: string): Promise<{ run: EmbeddingRun; stats: ImageStats }> {
  const embedder = await openPipelineEmbedder(args);
  const run = await embedImages(embedder, images, {
    root: join(args.data, 'images'),
    // Two requests per worker, so a worker never waits for the next image to be handed over.
    concurrency: Math.max(1, args.workers * 2),
    onProgress: progressPrinter(`${label} ${args.name}`),
  }).finally(() => embedder.close());
  const stats: ImageStats = {
    images: run.images,
    failed: run.failures.length,
    failedShare: run.failures.length / run.images,
    failures: run.failures,
    msPerImage: run.elapsedMs / run.images,
    workers: args.workers,
  };
  return { run, stats };
}

/** Writes the results JSON and a ROC plot next to it; the FAR axis starts at the decade of the smallest FAR the pairs resolve. */
export async function writeResults(
  out: string,
  report: unknown,
  plot: { readonly file: string; readonly title: string; readonly series: readonly RocSeries[]; readonly farResolution: number },
): Promise<void> {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 1)}\n`);
  console.log(`wrote ${out}`);
  const png = join(dirname(out), plot.file);
  const farFloor = 10 ** Math.floor(Math.log10(plot.farResolution));
  await writeSvgAsPng(renderRocSvg(plot.series, { title: plot.title, farFloor }), png);
  console.log(`wrote ${png}`);
}
