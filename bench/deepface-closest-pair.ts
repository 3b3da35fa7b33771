/**
 * Verify's rule for photos of several faces, measured on DeepFace's own 520 stated pairs (issue
 * 11): the largest face of each photo (facevault's rule before) against DeepFace's closest pair of
 * faces (the rule now), with the default model at its registry threshold, cosine.
 *
 *   npx tsx bench/deepface-closest-pair.ts [--data ../shared/datasets/deepface] [--workers 2]
 *
 * Every face of each photo is embedded once; both rules are scored from the same embeddings.
 * Measured here (faceplugin-arcface, cosine 0.68): largest faces 514/520 (98.85 %), the 3 wrong
 * same-person pairs all with img41.jpg (two faces); closest pair 517/520 (99.42 %), no same-person
 * pair wrong, the same 3 different-person pairs wrong under both rules (img22~img8, img22~img9, img33~img35).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cosineDistance } from '../src/face/distance.js';
import { closestPair, FacePipeline, type Representation } from '../src/face/pipeline.js';
import { parseCsv } from '../src/recognition/enroll-sources.js';
import { at } from '../src/util/checked.js';

const { values } = parseArgs({ options: { data: { type: 'string', default: '../shared/datasets/deepface' }, workers: { type: 'string', default: '2' } } });
const data = values.data!;
const pairs = parseCsv(readFileSync(join(data, 'pairs.csv'), 'utf8'))
  .slice(1)
  .flatMap(([a, b, same, ...rest]) => (a === undefined || b === undefined || same === undefined || rest.length > 0 ? [] : [{ a, b, same: same === '1' }]));
const images = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];

const pipeline = await FacePipeline.create({ workers: Number(values.workers) });
const started = performance.now();
const faces = new Map<string, Representation[]>();
await Promise.all(
  images.map(async (image) => {
    try {
      faces.set(image, await pipeline.represent(join(data, 'images', image)));
    } catch (err) {
      console.log(`${image}: ${(err as { code?: string }).code ?? err}`);
    }
  }),
);
await pipeline.close();
const seconds = (performance.now() - started) / 1000;
const threshold = pipeline.model.thresholds.cosine;

const rules = {
  'largest faces (before)': (a: Representation[], b: Representation[]) => cosineDistance(at(a, 0).embedding, at(b, 0).embedding),
  'closest pair (DeepFace, now)': (a: Representation[], b: Representation[]) => closestPair(a, b, 'cosine').distance,
};
const several = images.filter((image) => (faces.get(image)?.length ?? 0) > 1);
console.log(`${pairs.length} pairs (${pairs.filter((p) => p.same).length} same), ${images.length} images (${several.length} with several faces: ${several.map((i) => `${i} ${faces.get(i)!.length}`).join(', ')}), embedded in ${seconds.toFixed(1)} s; threshold ${threshold}`);
for (const [name, rule] of Object.entries(rules)) {
  let right = 0;
  const wrong: string[] = [];
  for (const { a, b, same } of pairs) {
    const fa = faces.get(a), fb = faces.get(b);
    const verified = fa && fb ? rule(fa, fb) <= threshold : false;
    if (verified === same) right++;
    else wrong.push(`${a}~${b}${same ? ' (same)' : ' (different)'}`);
  }
  const sameWrong = wrong.filter((w) => w.endsWith('(same)')).length;
  console.log(`${name}: ${right}/${pairs.length} = ${((100 * right) / pairs.length).toFixed(2)} %; wrong same-person pairs ${sameWrong}, wrong different pairs ${wrong.length - sameWrong}`);
  for (const w of wrong) console.log(`  ${w}`);
}
