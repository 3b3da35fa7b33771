import { closeSync, fsyncSync, openSync } from 'node:fs';

/** Makes creations, renames and removals inside `dir` durable (POSIX: the entries live in the directory's own data). */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
