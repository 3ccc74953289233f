import { GovernorRuntime, GovernorStore } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import type { AuditEntry, AuditRecord } from "@governor/observability";
import { createRefundSample, PaymentsLedger } from "@governor/sample-refund";

/** The sample's cases that run without a delegation token: a refund, one that waits for approval, a denial. */
const TEMPLATE_CASES = ["small-refund", "large-refund", "flagged-account"];

/** Records appended per transaction while seeding: the appends are the real ones, only the commits are grouped. */
const BATCH = 1_000;

/**
 * Fills the Governor store in `dir` with an audit journal of `records` records, as months of
 * refund traffic leave it, in seconds rather than by running tens of thousands of workflows.
 *
 * A few real runs of the refund sample go through `GovernorRuntime.start` first; their records
 * (run, model, precondition, policy with reasons and policy ids, approval, execution, each
 * with the data a real run writes) are the templates. Copies of them, each in a thread of its
 * own and about a call of its own, are then appended through the store's own journal (masking,
 * hash chain, HMAC seal, signed head), so the file is exactly what `governor audit verify`
 * reads after real traffic. The store is closed at the end, which writes the final head.
 *
 * A store already seeded is grown to `records` (copies continue where they stopped), so a
 * bench can keep a copy of the journal at one length and then go on to a longer one.
 *
 * @returns the records in the journal (exactly `records` unless the real runs alone wrote more).
 * @throws {Error} when a template run did not end as its case does.
 */
export async function seedAuditStore(dir: string, records: number): Promise<number> {
  const store = new GovernorStore(dir);
  const runtime = new GovernorRuntime({ store });
  try {
    const templates = await templateRecords(runtime);
    const { db, audit } = store;
    let total = (db.prepare("SELECT count(*) AS n FROM audit_records").get() as { n: number }).n;
    while (total < records) {
      const batch = Math.min(BATCH, records - total);
      db.transaction(() => {
        for (let i = 0; i < batch; i++) {
          const index = total + i;
          const template = templates[index % templates.length] as AuditRecord;
          audit.append(copyOf(template, Math.floor(index / templates.length)));
        }
      })();
      total += batch;
      // Appends inside a transaction are anchored in a microtask after it commits.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  } finally {
    await runtime.close();
  }
}

/** The template runs' records: run once in a new store, read back from it when it is grown further. */
async function templateRecords(runtime: GovernorRuntime): Promise<AuditRecord[]> {
  const sample = createRefundSample({ ledger: new PaymentsLedger() });
  const records: AuditRecord[] = [];
  for (const name of TEMPLATE_CASES) {
    const threadId = `template-${name}`;
    if ((await runtime.store.audit.find({ threadId, kind: "run" })).length === 0) {
      const found = sample.cases.find((candidate) => candidate.name === name);
      if (!found) throw new Error(`audit scale: the refund sample has no "${name}" case`);
      const outcome = await runtime.start(sample.workflow, found.input, {
        threadId,
        model: new ScenarioChatModel(sample.scenario),
      });
      if (outcome.status === "failed")
        throw new Error(`audit scale: template run ${name} failed: ${outcome.error?.message ?? ""}`);
    }
    records.push(...(await runtime.store.audit.list(threadId)));
  }
  return records;
}

/** The template's entry in thread `seed-N`, about call `…-N`: distinct threads and calls, as real traffic has. */
function copyOf(template: AuditRecord, copy: number): AuditEntry {
  const callId = template.data.callId;
  return {
    threadId: `seed-${copy}`,
    kind: template.kind,
    outcome: template.outcome,
    node: template.node,
    tool: template.tool,
    principal: template.principal,
    data: typeof callId === "string" ? { ...template.data, callId: `${callId}-${copy}` } : template.data,
    dedupeKey: template.dedupeKey === undefined ? undefined : `${template.dedupeKey}:${copy}`,
  };
}
