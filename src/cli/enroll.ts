/**
 * `facevault enroll <path...>`: enroll photos into the gallery with a progress bar (rate, ETA).
 *
 *   facevault enroll people/                  # people/<subject>/*.jpg: subject = folder name
 *   facevault enroll list.csv                 # rows path,subject
 *   facevault enroll ada.jpg --subject Ada --all-faces
 *
 * Resumable: Ctrl-C finishes the photos in flight and prints the summary; running the same
 * command again skips the photos already enrolled by their content hash, without detecting faces.
 * Exit code 0 when every photo is enrolled (or already was), 1 when some failed, 130 when interrupted.
 */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { enrollSources, IMAGE_EXTENSIONS, type EnrollItem } from '../recognition/enroll-sources.js';
import type { EnrollOptions, EnrollOutcome, EnrollSummary } from '../recognition/gallery.js';
import { checkSubjectName } from '../recognition/subject-name.js';
import { fvError } from '../errors.js';
import { galleryOptions, withGallery, type GalleryFlags } from './gallery-session.js';

const ON_MULTIPLE = ['error', 'skip', 'largest', 'central'] as const;

interface EnrollFlags extends GalleryFlags {
  subject?: string;
  allFaces?: boolean;
  onMultiple: string;
  json?: boolean;
}

export function register(program: Command): void {
  galleryOptions(
    program
      .command('enroll')
      .description('Enroll photos (files, folders whose name is the subject, or a CSV of path,subject) into the face gallery')
      .argument('<path...>', 'image files, folders or CSV files')
      .option('--subject <name>', 'subject of every photo given (default: the folder each photo is in)')
      .option('--all-faces', 'enroll every face of a photo (default: exactly one face per photo)')
      .option('--on-multiple <what>', `with one face per photo, a photo showing several: ${ON_MULTIPLE.join(', ')}`, 'error')
      .option('--json', 'print the summary as JSON on stdout'),
    true,
  ).action(async (paths: string[], flags: EnrollFlags) => {
    const options = enrollOptionsOf(flags);
    if (flags.subject !== undefined) checkSubjectName(flags.subject, '--subject');
    const items: EnrollItem[] = [];
    for await (const item of enrollSources(paths, { subject: flags.subject })) items.push(item);
    if (items.length === 0) {
      // Said, rather than a summary of "0 of 0 photos".
      throw fvError('FV_ERR_INVALID_ARGUMENT', `enroll: no photos found in ${paths.join(', ')}: folders are searched for ${[...IMAGE_EXTENSIONS].join(' ')} files (symbolic links followed)`, { paths });
    }

    const summary = await withGallery(flags, { embeds: true, mustExist: false }, async (gallery) => {
      const interrupt = new AbortController();
      // The first Ctrl-C stops taking new photos; a second one ends the process at once.
      const onInterrupt = () => {
        interrupt.abort();
        process.stderr.write('\ninterrupted: finishing the photos in flight (Ctrl-C again to quit at once)\n');
      };
      process.once('SIGINT', onInterrupt);
      const progress = new EnrollProgress(items.length);
      try {
        return await gallery.enroll(items, { ...options, signal: interrupt.signal, onProgress: (outcome) => progress.update(outcome) });
      } finally {
        progress.stop();
        process.removeListener('SIGINT', onInterrupt);
      }
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else process.stdout.write(formatSummary(summary, items.length));
    process.exitCode = summary.interrupted ? 130 : summary.failed > 0 ? 1 : 0;
  });
}

function enrollOptionsOf(flags: EnrollFlags): EnrollOptions {
  const onMultiple = flags.onMultiple as (typeof ON_MULTIPLE)[number];
  if (!ON_MULTIPLE.includes(onMultiple)) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `--on-multiple must be one of ${ON_MULTIPLE.join(', ')}, got "${flags.onMultiple}"`, { flag: '--on-multiple', value: flags.onMultiple, allowed: ON_MULTIPLE });
  }
  return { faces: flags.allFaces ? 'all' : 'one', onMultipleFaces: onMultiple };
}

/** The bar on stderr (so stdout stays clean for --json): photos done, photos/s, faces, ETA. */
class EnrollProgress {
  private readonly bar: SingleBar;
  private readonly started = performance.now();
  private done = 0;
  private faces = 0;

  constructor(total: number) {
    this.bar = new SingleBar({
      format: 'enroll |{bar}| {value}/{total} photos | {rate} photos/s | {faces} faces | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    });
    this.bar.start(total, 0, { rate: '0.0', faces: 0 });
  }

  update(outcome: EnrollOutcome): void {
    this.done++;
    if (outcome.status === 'enrolled') this.faces += outcome.recordIds.length;
    const seconds = (performance.now() - this.started) / 1000;
    this.bar.update(this.done, { rate: (this.done / Math.max(seconds, 1e-3)).toFixed(1), faces: this.faces });
  }

  stop(): void {
    this.bar.stop();
  }
}

/** The summary a person reads: counts, then every photo that was skipped or failed, and why. */
export function formatSummary(summary: EnrollSummary, total: number): string {
  const lines = [
    `${summary.photos} of ${total} photos: ${summary.enrolled} enrolled (${summary.faces} faces), ${summary.alreadyEnrolled} already enrolled, ${summary.skipped} skipped, ${summary.failed} failed`,
  ];
  const byReason = new Map<string, EnrollOutcome[]>();
  for (const problem of summary.problems) {
    const reason = problem.status === 'skipped' ? `skipped (${problem.error?.code ?? 'several faces'})` : (problem.error?.code ?? 'failed');
    const group = byReason.get(reason);
    if (group) group.push(problem);
    else byReason.set(reason, [problem]);
  }
  for (const [reason, problems] of byReason) {
    lines.push(`${reason === 'FV_ERR_NO_FACE' ? 'no face found' : reason}: ${problems.length}`);
    for (const problem of problems) lines.push(`  ${problem.source}${problem.error && reason !== 'FV_ERR_NO_FACE' ? ` — ${problem.error.message}` : ''}`);
  }
  if (summary.interrupted) lines.push(`interrupted after ${summary.photos} photos: run the same command again to resume (enrolled photos are skipped)`);
  return `${lines.join('\n')}\n`;
}
