import { fvError } from '../../errors.js';
import { at } from '../../util/checked.js';

/** A labelled pair of images as listed by a protocol file; paths are relative to the dataset's images folder. */
export interface ImagePair {
  readonly imgA: string;
  readonly imgB: string;
  readonly same: boolean;
  /** Cross-validation fold (LFW View 2: 0-9); 0 when the file has no fold column. */
  readonly fold: number;
}

const REQUIRED = ['img_a', 'img_b', 'same'] as const;

/**
 * Parses a pairs CSV with the header `img_a,img_b,same[,fold]` (the LFW and DeepFace files of
 * the shared datasets): `same` is 1 or 0, `fold` a non-negative integer. CRLF or LF line ends;
 * blank lines are skipped; fields are not quoted (no image path holds a comma).
 *
 * @example parsePairsCsv('img_a,img_b,same,fold\r\nA/A_0001.jpg,A/A_0002.jpg,1,0\r\n')
 * // [{ imgA: 'A/A_0001.jpg', imgB: 'A/A_0002.jpg', same: true, fold: 0 }]
 * @throws FV_ERR_INVALID_ARGUMENT when a required column is missing, or a row has the wrong number of fields, an empty path, or a bad `same` or `fold`.
 */
export function parsePairsCsv(text: string): ImagePair[] {
  const [headerLine = '', ...lines] = text.split(/\r?\n/);
  const header = headerLine.trim().split(',');
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `pairs CSV header must hold columns ${REQUIRED.join(', ')} (and optionally fold); missing ${missing.join(', ')} in "${headerLine}"`, { header });
  }
  const [colA, colB, colSame, colFold] = [header.indexOf('img_a'), header.indexOf('img_b'), header.indexOf('same'), header.indexOf('fold')];
  const pairs: ImagePair[] = [];
  for (const [index, raw] of lines.entries()) {
    // Line numbers count the header as line 1.
    const i = index + 1;
    const line = raw.trim();
    if (line === '') continue;
    const fields = line.split(',');
    const where = `pairs CSV line ${i + 1}`;
    if (fields.length !== header.length) {
      throw fvError('FV_ERR_INVALID_ARGUMENT', `${where} must have ${header.length} fields; got ${fields.length}: "${line}"`, { line: i + 1 });
    }
    // Every required column index is ≥ 0 (checked above) and below fields.length (= header.length).
    const [imgA, imgB, same] = [at(fields, colA), at(fields, colB), at(fields, colSame)];
    if (imgA === '' || imgB === '') throw fvError('FV_ERR_INVALID_ARGUMENT', `${where} has an empty image path: "${line}"`, { line: i + 1 });
    if (same !== '0' && same !== '1') throw fvError('FV_ERR_INVALID_ARGUMENT', `${where}: same must be 0 or 1; got "${same}"`, { line: i + 1, same });
    const foldField = colFold < 0 ? undefined : at(fields, colFold);
    const fold = foldField === undefined ? 0 : Number(foldField);
    if (!Number.isInteger(fold) || fold < 0 || foldField === '') {
      throw fvError('FV_ERR_INVALID_ARGUMENT', `${where}: fold must be a non-negative integer; got "${foldField}"`, { line: i + 1 });
    }
    pairs.push({ imgA, imgB, same: same === '1', fold });
  }
  return pairs;
}
