import type Database from "better-sqlite3";
import type { FactKey } from "../fact.js";
import type { LiveKey } from "./partition-vectors.js";

/**
 * Which Mem0 memory holds each fact key's text. A key has at most one live memory; a removed
 * key keeps its rows (not live) so Mem0's history of it, DELETE included, can still be read.
 * Mem0 makes its own ids, so a crash between `add` and `bind` leaves an unbound memory in
 * Mem0: search ignores any memory that is not the live one of its key.
 */
export class Mem0KeyMap {
  readonly #stmt: ReturnType<typeof prepare>;
  readonly #bind: (scopeKey: string, key: FactKey, mem0Id: string) => void;

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS governor_mem0_keys (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        scope_key TEXT NOT NULL,
        entity TEXT NOT NULL,
        attribute TEXT NOT NULL,
        mem0_id TEXT NOT NULL UNIQUE,
        live INTEGER NOT NULL DEFAULT 1
      );
      CREATE UNIQUE INDEX IF NOT EXISTS governor_mem0_keys_live
        ON governor_mem0_keys (scope_key, entity, attribute) WHERE live = 1;
      CREATE TABLE IF NOT EXISTS governor_mem0_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    this.#stmt = prepare(db);
    this.#bind = db.transaction((scopeKey: string, key: FactKey, mem0Id: string) => {
      this.#stmt.unbind.run(params(scopeKey, key));
      this.#stmt.bind.run({ ...params(scopeKey, key), id: mem0Id });
    });
  }

  /** The live Mem0 id of a key, if it has one. */
  live(scopeKey: string, key: FactKey): string | undefined {
    const row = this.#stmt.live.get(params(scopeKey, key)) as { mem0_id: string } | undefined;
    return row?.mem0_id;
  }

  /** The key a Mem0 id is the live memory of; undefined for an unbound or removed memory. */
  keyOf(scopeKey: string, mem0Id: string): FactKey | undefined {
    const row = this.#stmt.keyOf.get({ scope: scopeKey, id: mem0Id }) as
      | { entity: string; attribute: string }
      | undefined;
    return row ? { entity: row.entity, attribute: row.attribute } : undefined;
  }

  /** Makes `mem0Id` the key's live memory (any earlier one stops being live). */
  bind(scopeKey: string, key: FactKey, mem0Id: string): void {
    this.#bind(scopeKey, key, mem0Id);
  }

  /** The key has no live memory any more; its rows stay for history. */
  unbind(scopeKey: string, key: FactKey): void {
    this.#stmt.unbind.run(params(scopeKey, key));
  }

  /** Every Mem0 id the key ever had, oldest first. */
  ids(scopeKey: string, key: FactKey): string[] {
    return (this.#stmt.ids.all(params(scopeKey, key)) as { mem0_id: string }[]).map((row) => row.mem0_id);
  }

  /** Every live key of a partition with its Mem0 id. */
  liveKeys(scopeKey: string): LiveKey[] {
    return (
      this.#stmt.liveKeys.all({ scope: scopeKey }) as { entity: string; attribute: string; mem0_id: string }[]
    ).map((row) => ({ entity: row.entity, attribute: row.attribute, mem0Id: row.mem0_id }));
  }

  meta(name: string): string | undefined {
    return (this.#stmt.getMeta.get(name) as { value: string } | undefined)?.value;
  }

  setMeta(name: string, value: string): void {
    this.#stmt.setMeta.run(name, value);
  }
}

function params(scopeKey: string, key: FactKey) {
  return { scope: scopeKey, entity: key.entity, attribute: key.attribute };
}

function prepare(db: Database.Database) {
  const key = "scope_key = @scope AND entity = @entity AND attribute = @attribute";
  return {
    live: db.prepare(`SELECT mem0_id FROM governor_mem0_keys WHERE ${key} AND live = 1`),
    keyOf: db.prepare(
      "SELECT entity, attribute FROM governor_mem0_keys WHERE mem0_id = @id AND scope_key = @scope AND live = 1",
    ),
    bind: db.prepare(
      "INSERT INTO governor_mem0_keys (scope_key, entity, attribute, mem0_id) VALUES (@scope, @entity, @attribute, @id)",
    ),
    unbind: db.prepare(`UPDATE governor_mem0_keys SET live = 0 WHERE ${key} AND live = 1`),
    liveKeys: db.prepare(
      "SELECT entity, attribute, mem0_id FROM governor_mem0_keys WHERE scope_key = @scope AND live = 1 ORDER BY seq",
    ),
    ids: db.prepare(`SELECT mem0_id FROM governor_mem0_keys WHERE ${key} ORDER BY seq`),
    getMeta: db.prepare("SELECT value FROM governor_mem0_meta WHERE name = ?"),
    setMeta: db.prepare("INSERT OR REPLACE INTO governor_mem0_meta (name, value) VALUES (?, ?)"),
  };
}
