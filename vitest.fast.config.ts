/**
 * The fast tier (`npm run test:fast`, under a minute): the engine and the pure modules — no
 * server, no face models, no PostgreSQL, no child processes. The full suite (`npm test`) runs
 * everything, this tier included.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Spread, not mergeConfig: merging would append this include list to the full suite's.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'tests/*.test.ts',
      'tests/util/**/*.test.ts',
      'tests/vector/**/*.test.ts',
      'tests/stores/open-store.test.ts',
      'tests/stores/embedded-contract.test.ts',
      'tests/stores/pinecone/*.test.ts',
      'tests/face/{align,distance,image,index}.test.ts',
      'tests/face/{eval,detect}/*.test.ts',
      'tests/face/analyze/{crop,decoders}.test.ts',
      'tests/face/models/{fusion,registry}.test.ts',
      'tests/face/pool/{in-thread-runner,job-queue}.test.ts',
      'tests/recognition/{concurrent,identify,enroll-sources,subject-name,open-set}.test.ts',
      'tests/server/{upsert-body,float32-json,prometheus}.test.ts',
    ],
    // Engine tests that fill or restart thousands of namespaces or many graphs, or kill child
    // processes mid-write: minutes, not seconds.
    exclude: [
      'tests/vector/ann/ann-index-lifecycle.test.ts',
      'tests/vector/many-namespaces.test.ts',
      'tests/vector/storage/storage-errors.test.ts',
      'tests/vector/durability.test.ts',
    ],
  },
});
