import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir` whose bytes contain `needle` (a text as UTF-8, or raw bytes): the test that nothing erased is left on disk. */
export function filesHolding(dir: string, needle: string | Uint8Array): string[] {
  const bytes = typeof needle === 'string' ? Buffer.from(needle, 'utf8') : Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength);
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (readFileSync(path).includes(bytes)) found.push(path);
  }
  return found;
}
