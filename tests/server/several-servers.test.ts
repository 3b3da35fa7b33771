/**
 * Several stateless `facevault serve` processes over one PostgreSQL (issue 9): what one server
 * writes, the other reads; index creation and enrollment are decided by the store, not by either
 * process; concurrent writes through both lose nothing; a server killed mid-batch leaves no
 * partial batch behind.
 */
import { Pinecone, type PineconeRecord } from '@pinecone-database/pinecone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/util/seeded-random.js';
import { facevault, type FacevaultProcess } from '../helpers/facevault-process.js';
import { freshSchema, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { boxesOf, call, cropFace, otherShot, photo } from './face-photos.js';
import { API_KEY as KEY } from './harness.js';
import { at } from '../helpers/checked.js';

const SERVERLESS = { serverless: { cloud: 'aws', region: 'us-east-1' } } as const;
const DIMENSION = 32;

let postgres: TestPostgres;
let schema: ReturnType<typeof freshSchema>;
let storeUrl: string;
const running: FacevaultProcess[] = [];
let urls: string[] = [];

function serve(): FacevaultProcess {
  const server = facevault(['serve', '--store', storeUrl, '--port', '0'], { FACEVAULT_API_KEYS: KEY, FACEVAULT_LOG_LEVEL: 'info' });
  running.push(server);
  return server;
}

const client = (url: string) => new Pinecone({ apiKey: KEY, controllerHostUrl: url, maxRetries: 0 });
/**
 * An index on the server at `url`. The host is given: the client caches an index's host by API key
 * and name, process-wide, which would send every client to the server that described it first.
 */
const indexAt = (url: string, name: string) => client(url).index({ name, host: `${url}/indexes/${name}` });

function records(prefix: string, count: number, random: () => number): PineconeRecord[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, values: Array.from({ length: DIMENSION }, () => random() - 0.5), metadata: { batch: prefix } }));
}

beforeAll(async () => {
  postgres = await startTestPostgres();
  schema = freshSchema(postgres.url);
  const url = new URL(postgres.url);
  url.searchParams.set('schema', schema.schema);
  storeUrl = url.href;
  urls = await Promise.all([serve().serving, serve().serving]);
}, 120_000);

afterAll(async () => {
  for (const server of running) server.child.kill('SIGKILL');
  await Promise.all(running.map((server) => server.exited));
  await schema?.drop();
  await postgres?.stop();
});

describe(`two facevault servers on one PostgreSQL`, () => {
  it('create an index once when both are asked at once, and each describes it', async () => {
    const [a, b] = urls.map(client) as [Pinecone, Pinecone];
    const settled = await Promise.allSettled([a, b].map((pc) => pc.createIndex({ name: 'shared', dimension: DIMENSION, metric: 'euclidean', spec: SERVERLESS, tags: { engine: 'exact' } })));
    expect(settled.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected']);
    for (const pc of [a, b]) expect(await pc.describeIndex('shared')).toMatchObject({ name: 'shared', dimension: DIMENSION, metric: 'euclidean' });
  });

  it('lose nothing when 8 writers upsert through both at once, and read what the other wrote', async () => {
    const random = seededRandom(9);
    const writers = Array.from({ length: 8 }, (_, writer) => ({ index: indexAt(at(urls, writer % 2), 'shared'), batches: Array.from({ length: 5 }, (_, b) => records(`w${writer}b${b}`, 200, random)) }));
    await Promise.all(
      writers.map(async ({ index, batches }) => {
        for (const batch of batches) await index.upsert({ records: batch });
      }),
    );
    for (const url of urls) expect((await indexAt(url, 'shared').describeIndexStats()).totalRecordCount).toBe(8 * 5 * 200);
    // written through server 0, read through server 1: same values
    const written = at(at(at(writers, 0).batches, 0), 7);
    const values = written.values as number[];
    const fetched = await indexAt(at(urls, 1), 'shared').fetch({ ids: [written.id] });
    expect(fetched.records[written.id]?.values?.map((v) => Math.fround(v))).toEqual(values.map((v) => Math.fround(v)));
    const nearest = await indexAt(at(urls, 1), 'shared').query({ vector: values, topK: 1 });
    expect(nearest.matches[0]?.id).toBe(written.id);
  });

  it('enroll a face through one server and identify it through the other; the same photo through both is stored once', async () => {
    const [a, b] = urls.map((url) => ({ server: { url } })) as [{ server: { url: string } }, { server: { url: string } }];
    const group = await photo(4);
    const box = (await boxesOf(a, group))[0];
    if (!box) throw new Error('no face in sample 4');
    const face = await cropFace(group, box);
    const enrolled = await Promise.all([call(a, 'POST', '/register', { img: face.toString('base64'), img_name: 'ada' }, KEY), call(b, 'POST', '/register', { img: face.toString('base64'), img_name: 'ada again' }, KEY)]);
    expect(enrolled.map((reply) => reply.status)).toEqual([200, 200]);
    expect(enrolled.map((reply) => reply.json.status).sort()).toEqual(['already-enrolled', 'enrolled']);
    expect((await call(a, 'GET', '/galleries/default/subjects', undefined, KEY)).json.subjects).toHaveLength(1);

    const probe = await cropFace(group, box, otherShot);
    const found = await call(b, 'POST', '/search', { img: probe.toString('base64') }, KEY);
    expect(found.status).toBe(200);
    expect(JSON.stringify(found.json)).toContain(enrolled.find((reply) => reply.json.status === 'enrolled')?.json.img_name);
  });

  it('keep every batch whole when a third server is killed (SIGKILL) in the middle of writing', async () => {
    const doomed = serve();
    const doomedUrl = await doomed.serving;
    await client(doomedUrl).createIndex({ name: 'killed', dimension: DIMENSION, metric: 'euclidean', spec: SERVERLESS, tags: { engine: 'exact' } });
    const random = seededRandom(11);
    const acknowledged: string[] = [];
    let stop = false;
    const writing = (async () => {
      for (let batch = 0; !stop; batch++) {
        const prefix = `k${String(batch).padStart(4, '0')}`;
        await indexAt(doomedUrl, 'killed').upsert({ records: records(prefix, 1_000, random) });
        acknowledged.push(prefix);
      }
    })().catch(() => undefined);
    while (acknowledged.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 37));
    doomed.child.kill('SIGKILL');
    stop = true;
    await writing;
    await doomed.exited;

    const survivor = indexAt(at(urls, 0), 'killed');
    const perBatch = new Map<string, number>();
    let paginationToken: string | undefined;
    do {
      const page = await survivor.listPaginated({ limit: 100, ...(paginationToken ? { paginationToken } : {}) });
      for (const { id } of page.vectors ?? []) {
        const [prefix = ''] = (id as string).split('-');
        perBatch.set(prefix, (perBatch.get(prefix) ?? 0) + 1);
      }
      paginationToken = page.pagination?.next;
    } while (paginationToken);
    for (const prefix of acknowledged) expect(perBatch.get(prefix)).toBe(1_000);
    expect([...perBatch.values()].every((count) => count === 1_000)).toBe(true);
  });
});
