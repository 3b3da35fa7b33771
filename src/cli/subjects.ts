/**
 * `facevault subjects list | rename <old> <new> | erase <name>`: the gallery's people.
 * Erase removes every face of the subject and rewrites the storage so no copy is left in the data files.
 */
import type { Command } from 'commander';
import { galleryOptions, withGallery, type GalleryFlags } from './gallery-session.js';

export function register(program: Command): void {
  const subjects = program.command('subjects').description('List, rename or erase the subjects of the gallery');

  galleryOptions(subjects.command('list').description('Every subject with its number of faces').option('--json', 'print as JSON'), false).action(
    async (flags: GalleryFlags & { json?: boolean }) => {
      const list = await withGallery(flags, { embeds: false, mustExist: true }, (gallery) => gallery.subjects());
      if (flags.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else process.stdout.write(list.length === 0 ? 'no subjects\n' : `${list.map((s) => `${s.subject}\t${s.faces}`).join('\n')}\n`);
    },
  );

  galleryOptions(
    subjects.command('rename').description('Rename a subject on all its faces').argument('<old>').argument('<new>').option('--merge', 'allow renaming onto an existing subject (merges the two)'),
    false,
  ).action(async (from: string, to: string, flags: GalleryFlags & { merge?: boolean }) => {
    const faces = await withGallery(flags, { embeds: false, mustExist: true }, (gallery) => gallery.renameSubject(from, to, { merge: flags.merge }));
    process.stdout.write(`renamed "${from}" to "${to}" on ${faces} face(s)\n`);
  });

  galleryOptions(subjects.command('erase').description('Erase every face of a subject, leaving nothing of it in the data files').argument('<name>'), false).action(
    async (name: string, flags: GalleryFlags) => {
      const faces = await withGallery(flags, { embeds: false, mustExist: true }, (gallery) => gallery.eraseSubject(name));
      process.stdout.write(`erased "${name}": ${faces} face(s)\n`);
    },
  );
}
