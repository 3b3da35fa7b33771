/**
 * Photos that are already one face, ORL / AT&T style (92×112 grayscale): how many give a face
 * count other than one, with the crop-aware detection (`faceCrop: 'auto'`, the default) and
 * without it (`faceCrop: false`, as before). The crops are cut from LFW-a photos (250×250,
 * aligned, the face at the centre) around the centre and resized to 92×112 in grey: `orl` cuts
 * 120×146 (the face with some hair and chin, as ORL's are framed), `tight` cuts 100×122.
 *
 *   npx tsx bench/tight-crops.ts [--data ../shared/datasets/lfw] [--count 300] [--workers 2] [--out bench/results/tight-crops.json]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { isFacevaultError } from '../src/errors.js';
import { FacePipeline } from '../src/face/pipeline.js';
import { machineFacts, printTable, writeResult } from './lib/report.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/datasets/lfw' },
    count: { type: 'string', default: '300' },
    workers: { type: 'string', default: '2' },
    out: { type: 'string', default: 'bench/results/tight-crops.json' },
  },
});
const list = join(values.data, 'lfw-identities.csv');
if (!existsSync(list) || !existsSync(join(values.data, 'images'))) {
  console.log(`LFW-a not found (${list} and ${join(values.data, 'images')}): skipping. Pass --data DIR holding lfw-identities.csv and images/.`);
  process.exit(0);
}
const count = Number(values.count);
const workers = Number(values.workers);
const rows = readFileSync(list, 'utf8').trim().split('\n').slice(1).map((line) => line.split(',')[0] ?? '');
const photos = Array.from({ length: Math.min(count, rows.length) }, (_, i) => rows[Math.floor((i * rows.length) / Math.min(count, rows.length))] ?? '');

const CUTS = { orl: { width: 120, height: 146 }, tight: { width: 100, height: 122 } } as const;
/** An LFW-a photo's centre, `cut` pixels, resized to 92×112 grey, as PNG bytes. */
function orlCrop(image: string, cut: { width: number; height: number }): Promise<Buffer> {
  return sharp(join(values.data, 'images', image))
    .extract({ left: Math.round(125 - cut.width / 2), top: Math.round(125 - cut.height / 2), width: cut.width, height: cut.height })
    .resize(92, 112)
    .grayscale()
    .png()
    .toBuffer();
}

const pipeline = await FacePipeline.create({ workers });
type Counts = { none: number; one: number; several: number; wholeImage: number };
const results: Record<string, Record<string, Counts & { notOne: number; examples: string[] }>> = {};
try {
  for (const [cutName, cut] of Object.entries(CUTS)) {
    const crops = await Promise.all(photos.map((p) => orlCrop(p, cut)));
    for (const [mode, faceCrop] of [['before (faceCrop false)', false], ['after (faceCrop auto)', 'auto']] as const) {
      const started = performance.now();
      const counts = await Promise.all(
        crops.map((crop) =>
          pipeline.detectFaces(crop, { faceCrop }).then(
            (faces) => ({ n: faces.length, whole: faces.length === 1 && faces[0]?.score === 0 }),
            (err: unknown) => {
              if (isFacevaultError(err) && err.code === 'FV_ERR_NO_FACE') return { n: 0, whole: false };
              throw err;
            },
          ),
        ),
      );
      const tally = { none: 0, one: 0, several: 0, wholeImage: 0, notOne: 0, examples: [] as string[], msPerCrop: (performance.now() - started) / crops.length };
      counts.forEach(({ n, whole }, i) => {
        if (n === 0) tally.none++;
        else if (n === 1) tally.one++;
        else tally.several++;
        if (whole) tally.wholeImage++;
        if (n !== 1 && tally.examples.length < 10) tally.examples.push(`${photos[i]}: ${n}`);
      });
      tally.notOne = tally.none + tally.several;
      (results[cutName] ??= {})[mode] = tally;
    }
  }
} finally {
  await pipeline.close();
}

printTable(`${photos.length} LFW-a photos cut to 92×112 grey: faces found per crop`, Object.entries(results).flatMap(([cut, modes]) =>
  Object.entries(modes).map(([mode, t]) => ({ cut: `${cut} (${CUTS[cut as keyof typeof CUTS].width}×${CUTS[cut as keyof typeof CUTS].height})`, mode, '0 faces': t.none, '1 face': t.one, '2+ faces': t.several, '≠ 1': t.notOne, 'of which whole image': t.wholeImage })),
));
writeResult(values.out, {
  kind: 'tight-crops',
  command: `npx tsx bench/tight-crops.ts ${process.argv.slice(2).join(' ')}`.trim(),
  machine: machineFacts(),
  crops: photos.length,
  cuts: CUTS,
  results,
});
