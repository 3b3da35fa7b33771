/**
 * Turns ajv's report on a request that fails its route schema into a coded error whose message
 * names the field the way a client wrote it (`vectors[3].values[1]: expects a number`).
 */
import type { FastifySchemaValidationError } from 'fastify';
import { fvError, type ErrorCode, type FacevaultError } from '../errors.js';

/** Fields whose range errors have their own code, as the engine raises them. */
const FIELD_CODES: Readonly<Record<string, ErrorCode>> = {
  topK: 'FV_ERR_TOP_K',
  dimension: 'FV_ERR_INDEX_CONFIG',
  metric: 'FV_ERR_INDEX_CONFIG',
  engine: 'FV_ERR_INDEX_CONFIG',
};

/**
 * fastify's `schemaErrorFormatter`: the first schema violation as a FacevaultError.
 * @example a body `{ "topK": 0 }` → FV_ERR_TOP_K "topK: expects a number >= 1"
 */
export function formatSchemaError(errors: FastifySchemaValidationError[], dataVar: string): FacevaultError {
  const error = errors[0];
  if (!error) return fvError('FV_ERR_INVALID_ARGUMENT', `${dataVar}: is invalid`);
  const params = error.params as Record<string, unknown>;
  let path = pathOf(error.instancePath);
  // `required` and `additionalProperties` are reported on the parent object; name the field itself.
  const child = (params.missingProperty ?? params.additionalProperty) as string | undefined;
  if (child !== undefined) path = path ? `${path}.${child}` : child;
  const where = path || dataVar;
  const field = path.split(/[.[]/).at(-1) ?? '';
  const code = error.keyword === 'maxItems' ? 'FV_ERR_BATCH_TOO_LARGE' : ((Object.hasOwn(FIELD_CODES, field) ? FIELD_CODES[field] : undefined) ?? 'FV_ERR_INVALID_ARGUMENT');
  return fvError(code, `${dataVar === 'body' ? '' : `${dataVar} `}${where}: ${problem(error.keyword, params, error.message)}`, { path: where, in: dataVar });
}

/** `/vectors/3/values/1` → `vectors[3].values[1]` */
function pathOf(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}

function problem(keyword: string, params: Record<string, unknown>, fallback: string | undefined): string {
  switch (keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field';
    case 'type':
      return `expects ${/^[aeiou]/.test(String(params.type)) ? 'an' : 'a'} ${String(params.type)}`;
    case 'enum':
      return `expects one of: ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `expects ${JSON.stringify(params.allowedValue)}`;
    case 'minimum':
    case 'maximum':
      return `expects a number ${String(params.comparison)} ${String(params.limit)}`;
    case 'minItems':
      return `expects at least ${String(params.limit)} item(s)`;
    case 'maxItems':
      return `has more than ${String(params.limit)} items, the limit per request; split it`;
    case 'minLength':
      return `expects at least ${String(params.limit)} character(s)`;
    default:
      return fallback ?? 'is invalid';
  }
}
