import { GovernorError } from "@governor/errors";
import { AUDIT_ENV, AuditKey, auditAnchorFor } from "@governor/observability";

/** Where a PostgreSQL journal's audit key comes from. */
export interface AuditKeySource {
  /** The key itself (a caller that already holds it, a test). */
  readonly key?: AuditKey;
  /**
   * A store directory for development: the key is `keys/audit.key` there, created once, as
   * the SQLite store keeps it. Every machine writing one journal needs the same key, so a
   * deployment sets `GOVERNOR_AUDIT_KEY` instead.
   */
  readonly dir?: string;
  /** Where `GOVERNOR_AUDIT_KEY` is read (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The key that seals the journal's records and head: `key`, else `GOVERNOR_AUDIT_KEY`, else
 * the key file in `dir`.
 *
 * The SQLite journal without a key makes one for the process, which suits a journal that dies
 * with the process; a database outlives it and is shared by every worker, so a key known to
 * one process would leave a chain no other process can verify. Without any key the journal
 * refuses to open, rather than write records nobody can check.
 *
 * @throws {GovernorError} STORE_CONFIG_INVALID when no key is configured, or
 * `GOVERNOR_AUDIT_ANCHOR` asks for a head this journal does not keep; CONFIG_INVALID when
 * the key is shorter than 32 bytes or its file is empty (as for the SQLite store).
 */
export function auditKeyOf(source: AuditKeySource): AuditKey {
  const env = source.env ?? process.env;
  refuseExternalHead(env);
  if (source.key) return source.key;
  const configured = env[AUDIT_ENV.key];
  if (configured !== undefined && configured.trim() !== "")
    return new AuditKey(Buffer.from(configured, "utf8"), AUDIT_ENV.key);
  if (source.dir !== undefined) return auditAnchorFor(source.dir, env).key;
  throw new GovernorError(
    "STORE_CONFIG_INVALID",
    `the PostgreSQL audit journal has no audit key: set ${AUDIT_ENV.key} (at least 32 bytes, the same on every worker), or give a store directory for a development key file`,
    { missing: AUDIT_ENV.key },
  );
}

/**
 * `GOVERNOR_AUDIT_ANCHOR` asks for the signed head on storage the database's writers cannot
 * reach. This journal keeps its head in the database, so honouring the setting silently would
 * leave an operator believing in a protection they do not have: it is refused instead.
 */
function refuseExternalHead(env: Readonly<Record<string, string | undefined>>): void {
  const anchor = env[AUDIT_ENV.anchor]?.trim();
  if (anchor)
    throw new GovernorError(
      "STORE_CONFIG_INVALID",
      `${AUDIT_ENV.anchor} is set (${anchor}), but the PostgreSQL audit journal keeps its signed head in the database (table audit_head), not in a file: unset it. A head outside PostgreSQL is not supported yet`,
      { setting: AUDIT_ENV.anchor },
    );
}
