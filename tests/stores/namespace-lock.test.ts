import { describe, expect, it } from 'vitest';
import { NamespaceLock } from '../../src/stores/namespace-lock.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('NamespaceLock', () => {
  it('lets shared operations overlap; an exclusive one waits for them and holds off those that arrive after it', async () => {
    const lock = new NamespaceLock();
    const events: string[] = [];
    let releaseReaders!: () => void;
    const readersMayEnd = new Promise<void>((resolve) => (releaseReaders = resolve));
    const reader = (name: string) => lock.shared('ns', async () => {
      events.push(`${name} start`);
      await readersMayEnd;
      events.push(`${name} end`);
    });
    const r1 = reader('r1');
    const r2 = reader('r2');
    await tick();
    const writer = lock.exclusive('ns', async () => {
      events.push('purge start');
      await tick();
      events.push('purge end');
    });
    await tick();
    const late = lock.shared('ns', async () => void events.push('late'));
    const otherNamespace = lock.shared('other', async () => void events.push('other'));
    await tick();
    expect(events).toEqual(['r1 start', 'r2 start', 'other']);
    releaseReaders();
    await Promise.all([r1, r2, writer, late, otherNamespace]);
    expect(events).toEqual(['r1 start', 'r2 start', 'other', 'r1 end', 'r2 end', 'purge start', 'purge end', 'late']);
  });

  it('releases the key when an operation throws', async () => {
    const lock = new NamespaceLock();
    await expect(lock.exclusive('ns', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(lock.shared('ns', async () => 'ok')).resolves.toBe('ok');
  });
});
