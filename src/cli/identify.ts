/**
 * `facevault identify <image>`: who is in the photo — every face, with the enrolled subject it
 * matches (distance and confidence) or unknown, and the candidates a reviewer would look at, each
 * with its probability of being the same person given the gallery's size.
 *
 *   facevault identify probe.jpg --exact --fpir 0.001 --candidates 10 --json
 */
import type { Command } from 'commander';
import { fvError } from '../errors.js';
import type { IdentifyResult } from '../recognition/gallery.js';
import { galleryOptions, wholeNumber, withGallery, type GalleryFlags } from './gallery-session.js';

interface IdentifyFlags extends GalleryFlags {
  exact?: boolean;
  topK?: string;
  threshold?: string;
  fpir?: string;
  candidates?: string;
  json?: boolean;
}

export function register(program: Command): void {
  galleryOptions(
    program
      .command('identify')
      .description('Identify every face of a photo against the gallery')
      .argument('<image>', 'image file')
      .option('--exact', 'compare with every enrolled face (default: the approximate index, which scans exactly what it has not indexed yet)')
      .option('--top-k <n>', 'nearest faces looked at per face', '10')
      .option('--threshold <distance>', 'cosine distance at or below which a face is recognised [default: the one that holds --fpir at the gallery\'s size]')
      .option('--fpir <share>', 'false-positive identification rate to hold: the share of strangers named as someone enrolled', '0.01')
      .option('--candidates <n>', 'candidates listed per face, with their probability of being the same person', '5')
      .option('--json', 'print the result as JSON'),
    true,
  ).action(async (image: string, flags: IdentifyFlags) => {
    const topK = wholeNumber(flags.topK ?? '10', '--top-k', 1);
    const threshold = flags.threshold === undefined ? undefined : numberOf(flags.threshold, '--threshold');
    const fpir = numberOf(flags.fpir ?? '0.01', '--fpir');
    const candidates = wholeNumber(flags.candidates ?? '5', '--candidates', 1);
    const started = performance.now();
    const result = await withGallery(flags, { embeds: true, mustExist: true }, (gallery) => gallery.identify(image, { exact: flags.exact, topK, threshold, fpir, candidates }));
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(flags.json ? `${JSON.stringify({ ...result, seconds }, null, 2)}\n` : formatIdentification(result));
  });
}

function numberOf(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw fvError('FV_ERR_INVALID_ARGUMENT', `${flag} expects a number, got "${text}"`, { flag, value: text });
  return value;
}

/** A share as a percentage with two significant digits (one decimal from 10 %): 0.001 → '0.10 %', 1 → '100.0 %'. */
const asPercent = (share: number): string => `${share * 100 >= 10 ? (share * 100).toFixed(1) : (share * 100).toPrecision(2)} %`;

/** One line per face: where it is, and who (or unknown, with the nearest subject for context); then its candidates, indented. */
export function formatIdentification(result: IdentifyResult): string {
  const lines = result.faces.flatMap((face, i) => {
    const { x, y, w, h } = face.facialArea;
    const where = `face ${i + 1} at ${Math.round(x)},${Math.round(y)} ${Math.round(w)}×${Math.round(h)}`;
    let verdict: string;
    if (face.identity.status === 'known') {
      const { subject, distance, confidence } = face.identity;
      verdict = `${where}: ${subject} (distance ${distance.toFixed(3)}, confidence ${confidence.toFixed(1)} %)`;
    } else {
      const nearest = face.candidates[0];
      verdict = `${where}: unknown${nearest ? ` (nearest: ${nearest.subject} at ${nearest.distance.toFixed(3)})` : ''}`;
    }
    const candidates = face.candidates.map((c, rank) => `  ${rank + 1}. ${c.subject}  distance ${c.distance.toFixed(3)}${c.probability === null ? '' : `  P(same person) ${asPercent(c.probability)}`}`);
    return [verdict, ...candidates];
  });
  const held = result.fpir === null ? '' : `, holds FPIR ${asPercent(result.fpir)}`;
  const how = { fpir: `solved for FPIR ${asPercent(result.fpirTarget ?? 0)}`, explicit: 'given', fixed: "the model's fixed threshold (no fitted open-set model)" }[result.thresholdSource];
  lines.push(`model ${result.model}, cosine threshold ${result.threshold.toFixed(4)} (${how}) in a gallery of ${result.gallerySize.toLocaleString('en-US')} faces${held}`);
  return `${lines.join('\n')}\n`;
}
