/**
 * `facevault identify <image>`: who is in the photo — every face, with the enrolled subject it
 * matches (distance and confidence) or unknown.
 *
 *   facevault identify probe.jpg --exact --json
 */
import type { Command } from 'commander';
import { fvError } from '../errors.js';
import type { IdentifyResult } from '../recognition/gallery.js';
import { galleryOptions, wholeNumber, withGallery, type GalleryFlags } from './gallery-session.js';

interface IdentifyFlags extends GalleryFlags {
  exact?: boolean;
  topK?: string;
  threshold?: string;
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
      .option('--threshold <distance>', "cosine distance at or below which a face is recognised [default: the model's calibrated threshold]")
      .option('--json', 'print the result as JSON'),
    true,
  ).action(async (image: string, flags: IdentifyFlags) => {
    const topK = wholeNumber(flags.topK ?? '10', '--top-k', 1);
    const threshold = flags.threshold === undefined ? undefined : distanceOf(flags.threshold);
    const started = performance.now();
    const result = await withGallery(flags, { embeds: true, mustExist: true }, (gallery) => gallery.identify(image, { exact: flags.exact, topK, threshold }));
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(flags.json ? `${JSON.stringify({ ...result, seconds }, null, 2)}\n` : formatIdentification(result));
  });
}

function distanceOf(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw fvError('FV_ERR_INVALID_ARGUMENT', `--threshold expects a number, got "${text}"`, { flag: '--threshold', value: text });
  return value;
}

/** One line per face: where it is, and who (or unknown, with the nearest subject for context). */
export function formatIdentification(result: IdentifyResult): string {
  const lines = result.faces.map((face, i) => {
    const { x, y, w, h } = face.facialArea;
    const where = `face ${i + 1} at ${Math.round(x)},${Math.round(y)} ${Math.round(w)}×${Math.round(h)}`;
    if (face.identity.status === 'known') {
      const { subject, distance, confidence } = face.identity;
      return `${where}: ${subject} (distance ${distance.toFixed(3)}, confidence ${confidence.toFixed(1)} %)`;
    }
    const nearest = face.candidates[0];
    return `${where}: unknown${nearest ? ` (nearest: ${nearest.subject} at ${nearest.distance.toFixed(3)})` : ''}`;
  });
  lines.push(`model ${result.model}, cosine threshold ${result.threshold}`);
  return `${lines.join('\n')}\n`;
}
