import { describe, expect, it } from 'vitest';
import { checkSubjectName, MAX_SUBJECT_LENGTH } from '../../src/recognition/subject-name.js';

describe('checkSubjectName', () => {
  it('accepts a plain name, including commas and non-Latin letters', () => {
    expect(checkSubjectName('Lovelace, Ada')).toBe('Lovelace, Ada');
    expect(checkSubjectName('李小龙')).toBe('李小龙');
    expect(checkSubjectName('x'.repeat(MAX_SUBJECT_LENGTH))).toHaveLength(MAX_SUBJECT_LENGTH);
  });

  it.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    [' Ada', 'starts or ends with whitespace'],
    ['x'.repeat(MAX_SUBJECT_LENGTH + 1), `is ${MAX_SUBJECT_LENGTH + 1} characters long`],
    ['Ada\nBob', 'holds a control character'],
    [42, 'must be a string'],
  ])('refuses %j: %s', (name, problem) => {
    expect(() => checkSubjectName(name)).toThrow(expect.objectContaining({ code: 'FV_ERR_SUBJECT_NAME', message: expect.stringContaining(problem) }));
  });
});
