/** The VectorStore contract on the embedded store, a fresh data directory per opening. */
import { openEmbeddedStore } from '../../src/stores/embedded-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('embedded', async () => {
  const tmp = makeTempDir('facevault-contract-');
  const store = await openEmbeddedStore(tmp.dir);
  return {
    store,
    cleanup: async () => {
      await store.close();
      tmp.cleanup();
    },
  };
});
