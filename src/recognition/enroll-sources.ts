/**
 * What `enroll` was given → the photos to enroll, each with its subject:
 * - a folder: every image under it, recursively; the subject is the folder the image sits in
 *   (`people/Ada/1.jpg` → Ada);
 * - a CSV file: rows `path,subject` (an optional header `path,subject`; paths relative to the
 *   CSV's folder; fields may be quoted as in RFC 4180);
 * - an image file: the subject given, else the folder it sits in.
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fvError } from '../errors.js';

export interface EnrollItem {
  /** File to read. */
  readonly path: string;
  /** Name kept in the record's metadata: the path relative to what was given. */
  readonly source: string;
  readonly subject: string;
}

/** Extensions picked up from folders; a file named explicitly is tried whatever its extension. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.pgm', '.ppm', '.pnm']);

/**
 * The photos under `paths`, in a stable order (paths in the order given, folders sorted by name).
 * @example for await (const item of enrollSources(['people'])) console.log(item.subject, item.source) // prints: Ada Ada/1.jpg
 * @throws FV_ERR_INVALID_ARGUMENT when a path does not exist, or a CSV row is malformed.
 */
export async function* enrollSources(paths: readonly string[], options: { readonly subject?: string } = {}): AsyncGenerator<EnrollItem> {
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw fvError('FV_ERR_INVALID_ARGUMENT', `enroll: ${path} does not exist`, { path });
    if (info.isDirectory()) {
      for await (const file of imagesUnder(path, new Set([await realpath(path)]))) {
        yield { path: file, source: relative(path, file), subject: options.subject ?? basename(dirname(resolve(file))) };
      }
    } else if (extname(path).toLowerCase() === '.csv') {
      yield* csvItems(path);
    } else {
      yield { path, source: basename(path), subject: options.subject ?? basename(dirname(resolve(path))) };
    }
  }
}

/**
 * The images under `dir`, following symbolic links to files and folders (a folder of links to
 * photos kept elsewhere is common); `seen` holds the real paths of the folders on the way down,
 * so a link back up the tree is not walked round forever. A dangling link is passed over.
 */
async function* imagesUnder(dir: string, seen: ReadonlySet<string>): AsyncGenerator<string> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      isDirectory = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDirectory) {
      const real = await realpath(path);
      if (!seen.has(real)) yield* imagesUnder(path, new Set([...seen, real]));
    } else if (isFile && IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) yield path;
  }
}

async function* csvItems(csvPath: string): AsyncGenerator<EnrollItem> {
  const rows = parseCsv(await readFile(csvPath, 'utf8'));
  const base = dirname(csvPath);
  const header = rows[0]?.map((name) => name.trim().toLowerCase());
  const first = header?.[0] === 'path' && header[1] === 'subject' ? 1 : 0;
  for (const [index, row] of rows.slice(first).entries()) {
    const i = first + index;
    if (row.length === 0 || (row.length === 1 && row[0]?.trim() === '')) continue;
    const [path, subject] = row;
    if (row.length !== 2 || !path || !subject) {
      throw fvError('FV_ERR_INVALID_ARGUMENT', `${csvPath} line ${i + 1}: expected two fields path,subject; got ${JSON.stringify(row)}`, { file: csvPath, line: i + 1 });
    }
    yield { path: resolve(base, path), source: path, subject };
  }
}

/**
 * RFC 4180 CSV: comma-separated fields, optionally double-quoted (`""` is a quote inside one),
 * LF or CRLF line ends. Returns the rows; a blank line is an empty row.
 * @example parseCsv('a,"b, c"\n"say ""hi""",d\n') // → [['a', 'b, c'], ['say "hi"', 'd']]
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (fieldStarted || field !== '') row.push(field);
      rows.push(row);
      row = [];
      field = '';
      fieldStarted = false;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (fieldStarted || field !== '') {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
