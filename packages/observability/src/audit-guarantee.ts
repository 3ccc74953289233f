/**
 * What a verified audit journal proves, and against whom. Printed by `governor audit
 * verify` and repeated in the README's security section; change them together.
 */
export const AUDIT_GUARANTEE = [
  "Every record is sealed with HMAC-SHA256 under the audit key (GOVERNOR_AUDIT_KEY, else .governor/keys/audit.key), over a SHA-256 hash of all its fields and of the record before it. A signed head (record count and last hash) is kept outside the database (GOVERNOR_AUDIT_ANCHOR, else .governor/keys/audit.head).",
  "Against someone who can write the journal database but cannot read the audit key nor write the head: editing any field of any record, deleting, inserting, reordering or re-sealing records (the hash algorithm is public, the key is not), and removing records from the end up to the last head written are all detected; verify names the first record that does not hold.",
  "Against someone who can also write the head but cannot read the key: the same, except that they can put back an older head and cut the journal to it. Point GOVERNOR_AUDIT_ANCHOR at storage they cannot write (append-only, another host) to close this.",
  "Not anchored yet: records written in the last moments before a crash (the head follows appends within about 25 ms, and at close: every governor command closes the store before it exits) are sealed but not covered by the head, so removing them from the end is not detected.",
  "Not guaranteed against anyone who holds the audit key, the Governor process itself and code running in it (tool handlers) included: the key seals and verifies alike, so whoever can verify can also forge. Keep it readable only by Governor. Records written before seals existed are reported as unsealed, never as intact.",
] as const;
