import { join, resolve } from "node:path";
import { GovernorError } from "@governor/errors";
import { FileHeadStore } from "./audit-head.js";
import { AuditKey } from "./audit-key.js";
import { secretFile } from "./secret-file.js";
import type { SqliteAuditJournalOptions } from "./sqlite-audit-journal.js";

export const AUDIT_ENV = {
  /** The audit key itself (at least 32 bytes of text); overrides `keys/audit.key`. */
  key: "GOVERNOR_AUDIT_KEY",
  /** Where the signed head is kept; overrides `keys/audit.head`. Point it at storage the journal's writers cannot rewrite. */
  anchor: "GOVERNOR_AUDIT_ANCHOR",
} as const;

/**
 * The audit key and head location for a store directory.
 *
 * The key is `GOVERNOR_AUDIT_KEY`, else `keys/audit.key` in the store, created once (32
 * random bytes, readable by its owner only). The head is kept at `GOVERNOR_AUDIT_ANCHOR`,
 * else `keys/audit.head`. Both sit apart from `governor.db`, so someone who can write the
 * database but not the key directory can neither re-seal records nor move the head back.
 *
 * @throws {GovernorError} CONFIG_INVALID when `GOVERNOR_AUDIT_KEY` is shorter than 32 bytes
 * or the key file holds fewer than 32 bytes.
 * @example new SqliteAuditJournal(db, auditAnchorFor(".governor"))
 */
export function auditAnchorFor(
  dir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Required<Pick<SqliteAuditJournalOptions, "key" | "head">> {
  const keyDir = join(resolve(dir), "keys");
  const anchor = env[AUDIT_ENV.anchor]?.trim();
  return {
    key: auditKeyFor(keyDir, env),
    head: new FileHeadStore(anchor ? resolve(anchor) : join(keyDir, "audit.head")),
  };
}

function auditKeyFor(keyDir: string, env: Readonly<Record<string, string | undefined>>): AuditKey {
  const configured = env[AUDIT_ENV.key];
  if (configured !== undefined && configured.trim() !== "")
    return new AuditKey(Buffer.from(configured, "utf8"), AUDIT_ENV.key);
  const file = join(keyDir, "audit.key");
  const secret = secretFile(file);
  if (secret.byteLength === 0)
    throw new GovernorError(
      "CONFIG_INVALID",
      `${file} is empty: restore the audit key, or the journal cannot be verified`,
      {
        file,
      },
    );
  return new AuditKey(secret, file);
}
