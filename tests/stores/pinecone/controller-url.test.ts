/** Which server a `pinecone:` store URL names. */
import { describe, expect, it } from 'vitest';
import { controllerHostOf } from '../../../src/stores/pinecone/controller-url.js';

describe('controllerHostOf', () => {
  it("leaves Pinecone's cloud to the client's default", () => {
    expect(controllerHostOf('pinecone://')).toBeUndefined();
    expect(controllerHostOf('pinecone:')).toBeUndefined();
  });

  it('speaks http to a loopback host and https to any other', () => {
    expect(controllerHostOf('pinecone://127.0.0.1:5080')).toBe('http://127.0.0.1:5080');
    expect(controllerHostOf('pinecone://localhost:5080')).toBe('http://localhost:5080');
    expect(controllerHostOf('pinecone://[::1]:5080')).toBe('http://[::1]:5080');
    expect(controllerHostOf('pinecone://vectors.example.com')).toBe('https://vectors.example.com');
    expect(controllerHostOf('pinecone://10.0.0.7:5080/')).toBe('https://10.0.0.7:5080');
  });

  it('lets pinecone+http and pinecone+https choose the scheme', () => {
    expect(controllerHostOf('pinecone+http://vectors.internal:5080')).toBe('http://vectors.internal:5080');
    expect(controllerHostOf('pinecone+https://127.0.0.1:8443')).toBe('https://127.0.0.1:8443');
    expect(() => controllerHostOf('pinecone+http://')).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
  });

  it('refuses credentials in the URL without repeating them', () => {
    let message = '';
    try {
      controllerHostOf('pinecone://user:s3cret@127.0.0.1:5080');
    } catch (err) {
      expect(err).toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT' });
      message = (err as Error).message;
    }
    expect(message).toContain('PINECONE_API_KEY');
    expect(message).not.toContain('s3cret');
  });

  it('refuses other schemes, queries and non-URLs', () => {
    for (const url of ['postgres://db/faces', 'pinecone://h:5080/?key=1', 'pinecone://h#x', 'not a url']) {
      expect(() => controllerHostOf(url), url).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
    }
  });
});
