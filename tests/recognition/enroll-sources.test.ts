import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrollSources, parseCsv, type EnrollItem } from '../../src/recognition/enroll-sources.js';
import { makeTempDir } from '../helpers/temp-dir.js';

async function collect(paths: string[], options: { subject?: string } = {}): Promise<EnrollItem[]> {
  const items: EnrollItem[] = [];
  for await (const item of enrollSources(paths, options)) items.push(item);
  return items;
}

describe('parseCsv', () => {
  it('reads quoted fields with commas and doubled quotes, CRLF and blank lines', () => {
    expect(parseCsv('a,"b, c"\r\n"say ""hi""",d\n\ne,\n')).toEqual([['a', 'b, c'], ['say "hi"', 'd'], [], ['e', '']]);
    expect(parseCsv('x,y')).toEqual([['x', 'y']]);
  });
});

describe('enrollSources', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('facevault-sources-');
    for (const [dir, files] of [['people/Ada', ['2.jpg', '1.JPG', 'notes.txt']], ['people/Bob/old', ['x.png']]] as const) {
      mkdirSync(join(tmp.dir, dir), { recursive: true });
      for (const file of files) writeFileSync(join(tmp.dir, dir, file), '');
    }
    writeFileSync(join(tmp.dir, 'list.csv'), 'path,subject\r\npeople/Ada/1.JPG,"Lovelace, Ada"\r\npeople/Bob/old/x.png,Bob\r\n');
  });
  afterEach(() => tmp.cleanup());

  it('walks folders in name order, takes images only, and names the subject after the folder an image sits in', async () => {
    const items = await collect([join(tmp.dir, 'people')]);
    expect(items.map(({ source, subject }) => ({ source, subject }))).toEqual([
      { source: join('Ada', '1.JPG'), subject: 'Ada' },
      { source: join('Ada', '2.jpg'), subject: 'Ada' },
      { source: join('Bob', 'old', 'x.png'), subject: 'old' },
    ]);
    expect(items[0]?.path).toBe(join(tmp.dir, 'people', 'Ada', '1.JPG'));
  });

  it('reads a CSV of path,subject with paths relative to the CSV, and a file with the subject given', async () => {
    const items = await collect([join(tmp.dir, 'list.csv'), join(tmp.dir, 'people', 'Ada', '2.jpg')], { subject: 'Someone' });
    expect(items).toEqual([
      { path: join(tmp.dir, 'people/Ada/1.JPG'), source: 'people/Ada/1.JPG', subject: 'Lovelace, Ada' },
      { path: join(tmp.dir, 'people/Bob/old/x.png'), source: 'people/Bob/old/x.png', subject: 'Bob' },
      { path: join(tmp.dir, 'people', 'Ada', '2.jpg'), source: '2.jpg', subject: 'Someone' },
    ]);
  });

  it('follows symbolic links to photos and folders (a folder of links once enrolled as "0 of 0 photos"), once, and passes dangling ones over', async () => {
    mkdirSync(join(tmp.dir, 'store'));
    for (const file of ['a.jpg', 'b.pgm', 'c.ppm']) writeFileSync(join(tmp.dir, 'store', file), '');
    mkdirSync(join(tmp.dir, 'links', 'Cy'), { recursive: true });
    symlinkSync(join(tmp.dir, 'store', 'a.jpg'), join(tmp.dir, 'links', 'Cy', '1.jpg'));
    symlinkSync(join(tmp.dir, 'store', 'b.pgm'), join(tmp.dir, 'links', 'Cy', '2.pgm'));
    symlinkSync(join(tmp.dir, 'nowhere.jpg'), join(tmp.dir, 'links', 'Cy', '3.jpg'));
    symlinkSync(join(tmp.dir, 'people', 'Ada'), join(tmp.dir, 'links', 'Ada'));
    // a link back up the tree is walked into once, not round and round
    symlinkSync(join(tmp.dir, 'links'), join(tmp.dir, 'links', 'Cy', 'loop'));
    const items = await collect([join(tmp.dir, 'links')]);
    expect(items.map(({ source, subject }) => ({ source, subject }))).toEqual([
      { source: join('Ada', '1.JPG'), subject: 'Ada' },
      { source: join('Ada', '2.jpg'), subject: 'Ada' },
      { source: join('Cy', '1.jpg'), subject: 'Cy' },
      { source: join('Cy', '2.pgm'), subject: 'Cy' },
    ]);
  });

  it('names a missing path and a malformed CSV row', async () => {
    await expect(collect([join(tmp.dir, 'nope')])).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT', message: expect.stringContaining('nope does not exist') });
    writeFileSync(join(tmp.dir, 'bad.csv'), 'a.jpg,Ada\nb.jpg\n');
    await expect(collect([join(tmp.dir, 'bad.csv')])).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT', message: expect.stringContaining('line 2') });
  });
});
