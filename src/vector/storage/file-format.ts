import { fvError } from '../../errors.js';

/**
 * How the storage file describes itself (style.md §10): its `meta` table holds these keys.
 * A major version changes when an older build could misread the file; a minor version adds
 * only what older builds of the same major can ignore, so a newer minor still opens.
 */
export const STORAGE_MAGIC = 'facevault';
export const STORAGE_FORMAT_VERSION = { major: 1, minor: 0 } as const;

export const META_KEYS = { magic: 'magic', formatVersion: 'format_version', createdAt: 'created_at' } as const;

/** The `meta` rows written into a new file. */
export function newFileMeta(now: Date): Record<string, string> {
  return {
    [META_KEYS.magic]: STORAGE_MAGIC,
    [META_KEYS.formatVersion]: `${STORAGE_FORMAT_VERSION.major}.${STORAGE_FORMAT_VERSION.minor}`,
    [META_KEYS.createdAt]: now.toISOString(),
  };
}

/**
 * Accepts the `meta` rows of an existing file, or says precisely why not.
 * @throws FV_ERR_STORAGE_CORRUPT when the magic or the version text is missing or wrong.
 * @throws FV_ERR_STORAGE_VERSION when the file's major version is not the one this build reads.
 */
export function checkFileMeta(meta: ReadonlyMap<string, string>, file: string): void {
  const magic = meta.get(META_KEYS.magic);
  if (magic !== STORAGE_MAGIC) {
    throw fvError('FV_ERR_STORAGE_CORRUPT', `${file} is not a facevault storage file: meta.magic is ${JSON.stringify(magic)}, expected "${STORAGE_MAGIC}"`, { file, magic });
  }
  const version = meta.get(META_KEYS.formatVersion) ?? '';
  const match = /^(\d+)\.(\d+)$/.exec(version);
  if (match === null) {
    throw fvError('FV_ERR_STORAGE_CORRUPT', `${file} has an unreadable meta.format_version ${JSON.stringify(version)}, expected "major.minor"`, { file, version });
  }
  const major = Number(match[1]);
  if (major !== STORAGE_FORMAT_VERSION.major) {
    throw fvError(
      'FV_ERR_STORAGE_VERSION',
      `${file} has format version ${version}; this build reads ${STORAGE_FORMAT_VERSION.major}.x only` +
        (major > STORAGE_FORMAT_VERSION.major ? ' (written by a newer facevault: upgrade to open it)' : ''),
      { file, version, supportedMajor: STORAGE_FORMAT_VERSION.major },
    );
  }
}
