import { describe, expect, it } from 'vitest';
import { parsePairsCsv } from '../../../src/face/eval/pairs-csv.js';

describe('parsePairsCsv', () => {
  it('reads the LFW format with CRLF line ends and folds', () => {
    const text = 'img_a,img_b,same,fold\r\nA/A_0001.jpg,A/A_0002.jpg,1,0\r\nA/A_0001.jpg,B/B_0001.jpg,0,9\r\n';
    expect(parsePairsCsv(text)).toEqual([
      { imgA: 'A/A_0001.jpg', imgB: 'A/A_0002.jpg', same: true, fold: 0 },
      { imgA: 'A/A_0001.jpg', imgB: 'B/B_0001.jpg', same: false, fold: 9 },
    ]);
  });

  it('reads the DeepFace format without folds, in any column order, skipping blank lines', () => {
    expect(parsePairsCsv('same,img_b,img_a\n0,img2.jpg,img1.jpg\n\n')).toEqual([{ imgA: 'img1.jpg', imgB: 'img2.jpg', same: false, fold: 0 }]);
  });

  it('names the missing column', () => {
    expect(() => parsePairsCsv('img_a,img_b\nx,y\n')).toThrow(/missing same/);
  });

  it('names the line and the bad value', () => {
    const header = 'img_a,img_b,same,fold\n';
    expect(() => parsePairsCsv(`${header}a,b,yes,0\n`)).toThrow(/line 2: same must be 0 or 1; got "yes"/);
    expect(() => parsePairsCsv(`${header}a,b,1,-1\n`)).toThrow(/line 2: fold must be a non-negative integer; got "-1"/);
    expect(() => parsePairsCsv(`${header}a,b,1,\n`)).toThrow(/fold must be/);
    expect(() => parsePairsCsv(`${header}a,b,1\n`)).toThrow(/must have 4 fields; got 3/);
    expect(() => parsePairsCsv(`${header},b,1,0\n`)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
  });
});
