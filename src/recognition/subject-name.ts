import { fvError } from '../errors.js';

/** Longest subject name accepted, in UTF-16 code units (a name, not a document). */
export const MAX_SUBJECT_LENGTH = 200;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** True when a name holds a control character (NUL, newline, escape…): invisible in a list, misleading in a log. */
export function holdsControlCharacter(name: string): boolean {
  return CONTROL_CHARACTERS.test(name);
}

/**
 * Checks a subject name once, where it enters (enroll, rename, lookups): 1 to 200 characters,
 * not blank, no surrounding spaces and no control characters (they would be invisible in a list).
 * @example checkSubjectName('Ada Lovelace') // → 'Ada Lovelace'
 * @throws FV_ERR_SUBJECT_NAME naming the problem and the value.
 */
export function checkSubjectName(name: unknown, field = 'subject'): string {
  const problem =
    typeof name !== 'string' ? `must be a string, got ${typeof name}`
    : name.trim() === '' ? 'is empty'
    : name.length > MAX_SUBJECT_LENGTH ? `is ${name.length} characters long; the limit is ${MAX_SUBJECT_LENGTH}`
    : name !== name.trim() ? 'starts or ends with whitespace'
    : holdsControlCharacter(name) ? 'holds a control character'
    : undefined;
  if (problem !== undefined) throw fvError('FV_ERR_SUBJECT_NAME', `${field} ${JSON.stringify(name)} ${problem}`, { field, value: name });
  return name as string;
}
