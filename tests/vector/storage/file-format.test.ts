import { expect, test } from 'vitest';
import { isFacevaultError, type ErrorCode } from '../../../src/errors.js';
import { checkFileMeta, newFileMeta } from '../../../src/vector/storage/file-format.js';

function codeOf(meta: Record<string, string>): ErrorCode | 'ok' {
  try {
    checkFileMeta(new Map(Object.entries(meta)), '/data/facevault.db');
    return 'ok';
  } catch (err) {
    return isFacevaultError(err) ? err.code : 'ok';
  }
}

test('a new file says what it is, its version and when it was made', () => {
  expect(newFileMeta(new Date(Date.UTC(2026, 0, 2)))).toEqual({ magic: 'facevault', format_version: '1.0', created_at: '2026-01-02T00:00:00.000Z' });
});

test('accepts major 1 of any minor, refuses other majors and malformed meta', () => {
  const meta = newFileMeta(new Date(0));
  expect(codeOf(meta)).toBe('ok');
  expect(codeOf({ ...meta, format_version: '1.12' })).toBe('ok');
  expect(codeOf({ ...meta, format_version: '2.0' })).toBe('FV_ERR_STORAGE_VERSION');
  expect(codeOf({ ...meta, format_version: '0.9' })).toBe('FV_ERR_STORAGE_VERSION');
  expect(codeOf({ ...meta, format_version: 'one' })).toBe('FV_ERR_STORAGE_CORRUPT');
  expect(codeOf({ ...meta, magic: 'sqlite' })).toBe('FV_ERR_STORAGE_CORRUPT');
  expect(() => checkFileMeta(new Map(Object.entries({ ...meta, format_version: '3.1' })), '/d/f.db')).toThrow(
    '/d/f.db has format version 3.1; this build reads 1.x only (written by a newer facevault: upgrade to open it)',
  );
});
