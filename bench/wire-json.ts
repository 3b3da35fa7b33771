/**
 * The server's JSON at the reference workload's size, 1,000 records × 128 values, beside what it
 * replaced (peers measured in the same run, alternating):
 * - reading an upsert body of full-precision doubles (2.7 MB): facevault's parser from the bytes vs
 *   bytes → string → JSON.parse (a lower bound of fastify's default parser, secure-json-parse,
 *   which also scans the text twice for `__proto__` and `constructor`);
 * - route validation of that body (ajv, compiled from the route's zod schema, 128,000 numbers);
 * - writing a fetch of those records: shortest float32 digits into bytes vs Array.from of each
 *   Float32Array and JSON.stringify (17-digit doubles, as before).
 * Reported as the minimum and median of many runs: the machine is shared, and the minimum is the
 * uncontended cost.
 *
 *   npx tsx bench/wire-json.ts                # 60 rounds
 */
import Fastify, { errorCodes } from 'fastify';
import { toJsonSchema } from '../src/server/json-schema.js';
import { UpsertRequest } from '../src/server/pinecone-schemas.js';
import { parseUpsertBody } from '../src/server/upsert-body.js';
import { fetchJson } from '../src/server/vector-responses.js';
import { machineFacts, parseArgs, printTable, writeResult, type Row } from './lib/report.js';
import { clusteredVectors, row } from './lib/synthetic.js';
import { at } from '../src/util/checked.js';

const RECORDS = 1000;
const DIM = 128;

function stats(samples: number[]): { 'min ms': number; 'median ms': number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { 'min ms': at(sorted, 0), 'median ms': at(sorted, Math.floor(sorted.length / 2)) };
}

/** The body validator fastify compiles for a route with the upsert schema, with the server's ajv options. */
async function routeValidator(): Promise<(body: unknown) => boolean> {
  const app = Fastify({ ajv: { customOptions: { coerceTypes: false, removeAdditional: false } } });
  let validator: ((body: unknown) => boolean) | undefined;
  app.post('/', { schema: { body: toJsonSchema(UpsertRequest, 'input') } }, async (request) => {
    validator = request.getValidationFunction('body') as (body: unknown) => boolean;
    return {};
  });
  await app.inject({ method: 'POST', url: '/', payload: { vectors: [{ id: 'a', values: [1] }] } });
  await app.close();
  if (!validator) throw new Error('fastify compiled no body validator');
  return validator;
}

/** Times each candidate once per round, alternating, so that load falls on all of them alike. */
function race(rounds: number, candidates: Record<string, () => unknown>): Record<string, number[]> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(candidates).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(candidates)) {
      const start = performance.now();
      run();
      samples[name]?.push(performance.now() - start);
    }
  }
  return samples;
}

const args = parseArgs(process.argv.slice(2));
const ROUNDS = Number(args.rounds ?? 60);
const { data } = clusteredVectors(RECORDS, 1, DIM, 100, 0.6, 7);
const records = Array.from({ length: RECORDS }, (_, i) => ({ id: `img${i}.jpg`, values: row(data, DIM, i), metadata: { source: `img${i}.jpg` } }));
const body = Buffer.from(JSON.stringify({ vectors: records.map(({ id, values, metadata }) => ({ id, values: Array.from(values), metadata })), namespace: '' }));
// fastify's default JSON parser, as the upsert route's fallback and as every other route uses it.
const defaultJson = (text: string) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY();
  }
};
const validate = await routeValidator();
const parsed = parseUpsertBody(body, defaultJson);
if (!validate(parsed)) throw new Error('the parsed body does not validate');

const parse = race(ROUNDS, {
  'facevault parser (bytes)': () => parseUpsertBody(body, defaultJson),
  'toString + JSON.parse': () => JSON.parse(body.toString('utf8')),
});
const validation = race(ROUNDS, { 'ajv, route schema': () => validate(parsed) });
const payload = { records, namespace: '__default__', usage: { readUnits: 100 } };
const write = race(ROUNDS, {
  'facevault, shortest float32 (bytes)': () => fetchJson(payload),
  'Array.from + JSON.stringify (17 digits)': () =>
    JSON.stringify({ vectors: Object.fromEntries(records.map(({ id, values, metadata }) => [id, { id, values: Array.from(values), metadata }])), namespace: '__default__', usage: { readUnits: 100 } }),
});

const sizes = { 'upsert body MB': body.length / 1e6, 'fetch, shortest float32, MB': fetchJson(payload).length / 1e6 };
const tables: Record<string, Row[]> = {
  parse: Object.entries(parse).map(([via, samples]) => ({ via, ...stats(samples) })),
  validation: Object.entries(validation).map(([via, samples]) => ({ via, values: RECORDS * DIM, ...stats(samples) })),
  write: Object.entries(write).map(([via, samples]) => ({ via, ...stats(samples) })),
};
printTable(`Reading an upsert body of ${RECORDS} × ${DIM} doubles (${sizes['upsert body MB'].toFixed(2)} MB)`, tables.parse ?? []);
printTable('Validating it', tables.validation ?? []);
printTable(`Writing a fetch of ${RECORDS} × ${DIM} (${sizes['fetch, shortest float32, MB'].toFixed(2)} MB with shortest float32s)`, tables.write ?? []);
writeResult(new URL('./results/wire-json.json', import.meta.url).pathname, { machine: machineFacts(), settings: { RECORDS, DIM, ROUNDS }, sizes, tables });
