import { describe, expect, it, vi } from 'vitest';
import { LoadOnce } from '../../src/util/load-once.js';

describe('LoadOnce', () => {
  it('shares one load between concurrent calls and holds the value until dispose, which releases it once', async () => {
    const open = vi.fn(async () => ({ id: 1 }));
    const release = vi.fn();
    const once = new LoadOnce(open, release);
    expect(once.value).toBeUndefined();
    await Promise.all([once.load(), once.load()]);
    await once.load();
    expect(open).toHaveBeenCalledTimes(1);
    expect(once.value).toEqual({ id: 1 });
    await once.dispose();
    await once.dispose();
    expect(release).toHaveBeenCalledTimes(1);
    expect(once.value).toBeUndefined();
    await once.load();
    expect(open).toHaveBeenCalledTimes(2);
  });

  it('lets a failed load be tried again', async () => {
    const open = vi.fn().mockRejectedValueOnce(new Error('missing weights')).mockResolvedValueOnce('net');
    const once = new LoadOnce<string>(open, () => undefined);
    await expect(once.load()).rejects.toThrow('missing weights');
    expect(once.value).toBeUndefined();
    await once.load();
    expect(once.value).toBe('net');
  });

  it('disposes after a load in flight settles, releasing what it loaded', async () => {
    let finish: (value: string) => void = () => undefined;
    const release = vi.fn();
    const once = new LoadOnce(() => new Promise<string>((resolve) => (finish = resolve)), release);
    const loading = once.load();
    const disposing = once.dispose();
    finish('net');
    await loading;
    await disposing;
    expect(release).toHaveBeenCalledWith('net');
    expect(once.value).toBeUndefined();
  });
});
