/**
 * The lifecycle every model shares: `load()` at most once at a time (concurrent calls share one
 * load, a failed load can be tried again), the loaded value while it lives, `dispose()` releasing
 * it (idempotent, after any load in flight settles).
 *
 * @example
 * const net = new LoadOnce(() => FaceApiGenderNet.load(), (loaded) => loaded.dispose());
 * await net.load();
 * net.value; // the loaded net, until net.dispose()
 */
export class LoadOnce<T> {
  private loaded: T | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly open: () => Promise<T>,
    private readonly release: (value: T) => void | Promise<void>,
  ) {}

  /** The loaded value; undefined before `load()` resolves and after `dispose()`. */
  get value(): T | undefined {
    return this.loaded;
  }

  load(): Promise<void> {
    this.loading ??= this.open().then(
      (value) => {
        this.loaded = value;
      },
      (err: unknown) => {
        this.loading = undefined;
        throw err;
      },
    );
    return this.loading;
  }

  async dispose(): Promise<void> {
    await this.loading?.catch(() => undefined);
    const value = this.loaded;
    this.loaded = undefined;
    this.loading = undefined;
    if (value !== undefined) await this.release(value);
  }
}
