/**
 * Both majors of the official Pinecone client, pointed at a harness server: 8.x speaks API
 * 2026-04, 9.x (installed as `pinecone9`) speaks 2026-07, whose control plane has other shapes.
 * 9.x keeps 8.x's methods (createIndex with dimension/metric/spec, describeIndex with legacy
 * accessors, index(...).upsert ...), so one test body serves both, typed as 8.x.
 */
import { Errors as Errors8, Pinecone as Pinecone8 } from '@pinecone-database/pinecone';
import { Errors as Errors9, Pinecone as Pinecone9 } from 'pinecone9';

export interface OfficialClient {
  readonly major: 8 | 9;
  readonly Pinecone: typeof Pinecone8;
  readonly Errors: typeof Errors8;
}

export const OFFICIAL_CLIENTS: readonly OfficialClient[] = [
  { major: 8, Pinecone: Pinecone8, Errors: Errors8 },
  { major: 9, Pinecone: Pinecone9 as unknown as typeof Pinecone8, Errors: Errors9 as unknown as typeof Errors8 },
];

/** A client of this major for the server at `url`, with retries off so a 5xx surfaces at once. */
export function connect(client: OfficialClient, url: string, apiKey: string): Pinecone8 {
  return new client.Pinecone({ apiKey, controllerHostUrl: url, maxRetries: 0 });
}
