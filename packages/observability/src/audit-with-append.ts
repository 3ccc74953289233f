import type { AuditEntry, AuditJournal, AuditRecord, Awaitable } from "./audit-record.js";

/**
 * `journal` with its `append` replaced by `append`, everything else its own: how a decorator
 * (masking, tracing) stands between the nodes and the store's journal. A proxy rather than a
 * wrapper class, so a concrete journal keeps its own methods (`flush`, `close`, `headLocation`)
 * and its type. Whatever is later assigned to `append` (a test's spy, a crash hook) wraps the
 * decorated append rather than being called by it.
 */
export function withAppend<T extends AuditJournal>(
  journal: T,
  append: (entry: AuditEntry) => Awaitable<AuditRecord>,
): T {
  let replaced: unknown;
  return new Proxy(journal, {
    get(target, property) {
      if (property === "append") return replaced ?? append;
      const value = Reflect.get(target, property);
      // Methods run against the journal itself: private fields are not visible through a proxy.
      return typeof value === "function" ? value.bind(target) : value;
    },
    set(target, property, value) {
      if (property === "append") replaced = value;
      else Reflect.set(target, property, value);
      return true;
    },
  });
}
