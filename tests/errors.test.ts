import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG, FacevaultError, fvError, isFacevaultError } from '../src/errors.js';

describe('error catalog', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

  it.each(Object.keys(ERROR_CATALOG))('%s is documented in docs/errors.md', (code) => {
    expect(doc).toContain(`\`${code}\``);
  });

  it('carries code, status and details', () => {
    const err = fvError('FV_ERR_TOP_K', 'topK must be from 1 to 10000', { topK: 0 });
    expect(err).toBeInstanceOf(FacevaultError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('FV_ERR_TOP_K');
    expect(err.status).toBe(400);
    expect(err.details).toEqual({ topK: 0 });
    expect(isFacevaultError(err, 'FV_ERR_TOP_K')).toBe(true);
    expect(isFacevaultError(err, 'FV_ERR_FILTER')).toBe(false);
    expect(isFacevaultError(new Error('x'))).toBe(false);
  });

  it('uses only 4xx and 5xx statuses', () => {
    for (const { status } of Object.values(ERROR_CATALOG)) expect(status).toBeGreaterThanOrEqual(400);
  });
});
