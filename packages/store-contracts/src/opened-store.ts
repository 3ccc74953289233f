/**
 * A store opened for one contract test, on fresh, empty storage. `another` opens a second
 * instance on the same storage (another connection, as another process or worker would
 * have), so a suite can check that what one writes the other sees, and that two racing
 * instances cannot both win. `close` closes both.
 */
export interface OpenedStore<TStore> {
  readonly store: TStore;
  another?(): Promise<TStore>;
  close(): Promise<void>;
}

/** Opens a store on fresh storage: called once per test. */
export type OpenStore<TStore> = () => Promise<OpenedStore<TStore>>;
