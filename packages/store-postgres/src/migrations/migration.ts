/** One step of the schema: applied once, in order, never edited after it ships. */
export interface Migration {
  /** 1, 2, 3…: the order they apply in; the database records the highest applied. */
  readonly version: number;
  readonly name: string;
  /** Statements run in the migrating transaction. */
  readonly up: string;
}
