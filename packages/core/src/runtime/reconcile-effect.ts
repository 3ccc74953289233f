import { GovernorError } from "@governor/errors";
import type { GovernorStores } from "../store/governor-stores.js";
import { takeLease } from "./held-lease.js";

/** A side effect whose outcome nobody knows: its handler started and never reported back. */
export interface UnknownEffect {
  readonly idempotencyKey: string;
  readonly tool: string;
  readonly node?: string;
  readonly at: string;
}

/** What a person who checked the downstream system says about one unknown effect. */
export interface Reconciliation {
  readonly threadId: string;
  /** True: the call took effect downstream. False: it did not. */
  readonly happened: boolean;
  /** Who checked, for the audit journal. */
  readonly approver: string;
  readonly reason?: string;
  /** Which effect, when the run has several unknown ones (its idempotency key, or a unique start of it). */
  readonly key?: string;
}

/**
 * The effects of a run whose outcome is unknown and not yet reconciled: the journal still
 * holds them "started" (the process died while the handler ran, or the result could not be
 * recorded). Found through the audit journal's outcome-unknown records, which name each key.
 */
export async function unknownEffects(
  stores: Pick<GovernorStores, "audit" | "effects">,
  threadId: string,
): Promise<UnknownEffect[]> {
  const records = await stores.audit.find({ threadId, kind: "execution" });
  const found = new Map<string, UnknownEffect>();
  for (const record of records) {
    const key = record.data?.idempotencyKey;
    if (record.outcome !== "outcome-unknown" || typeof key !== "string" || found.has(key)) continue;
    const effect = await stores.effects.get(key);
    const unresolved =
      effect?.status === "started" || (effect?.status === "committed" && effect.unrecorded !== undefined);
    if (!unresolved) continue;
    found.set(key, {
      idempotencyKey: key,
      tool: record.tool ?? effect.tool,
      ...(record.node ? { node: record.node } : {}),
      at: record.at,
    });
  }
  return [...found.values()];
}

/**
 * Settles an effect whose outcome was unknown, as a person who checked the downstream system
 * says: `happened` records it executed (a later replay of the same call reads it back and never
 * acts again), otherwise it is recorded as failed ("did not happen"), so nothing reads it as
 * done. The run's lease is held meanwhile, so no driver claims the call at the same moment, and
 * the decision is audited with who made it and why (kind execution, outcome "reconciled").
 *
 * @throws {GovernorError} CONFIG_INVALID for a blank approver; RESUME_INVALID when the run has no
 *   unknown effect, or several and `key` names none (or several) of them; RUN_BUSY while another
 *   process drives the run.
 */
export async function reconcileEffect(
  stores: Pick<GovernorStores, "audit" | "effects" | "leases">,
  reconciliation: Reconciliation,
): Promise<UnknownEffect> {
  const { threadId, happened, reason } = reconciliation;
  const approver = reconciliation.approver.trim();
  if (!approver)
    throw new GovernorError("CONFIG_INVALID", "Reconciling needs who checked: pass --approver ID", {
      threadId,
    });
  const lease = await takeLease(stores.leases, threadId);
  if (!lease) {
    throw new GovernorError(
      "RUN_BUSY",
      `Run ${threadId} is being driven by another process: reconcile once it stops`,
      { threadId },
    );
  }
  try {
    const effect = chosenEffect(threadId, await unknownEffects(stores, threadId), reconciliation.key);
    const by = `${approver}${reason ? `: ${reason}` : ""}`;
    if (happened) {
      await stores.effects.commit(effect.idempotencyKey, {
        reconciled: "happened",
        by: approver,
        reason: reason ?? null,
      });
    } else {
      await stores.effects.fail(effect.idempotencyKey, `reconciled: did not happen (${by})`, "failed");
    }
    await stores.audit.append({
      threadId,
      kind: "execution",
      outcome: "reconciled",
      tool: effect.tool,
      ...(effect.node ? { node: effect.node } : {}),
      principal: approver,
      data: {
        idempotencyKey: effect.idempotencyKey,
        happened,
        approver,
        ...(reason ? { reason } : {}),
      },
    });
    return effect;
  } finally {
    await lease.release();
  }
}

function chosenEffect(
  threadId: string,
  effects: readonly UnknownEffect[],
  key: string | undefined,
): UnknownEffect {
  if (!effects.length) {
    throw new GovernorError(
      "RESUME_INVALID",
      `Run ${threadId} has no effect whose outcome is unknown: nothing to reconcile`,
      { threadId },
    );
  }
  const listed = effects.map((effect) => `${effect.tool} ${effect.idempotencyKey}`).join(", ");
  const matches =
    key === undefined ? effects : effects.filter((effect) => effect.idempotencyKey.startsWith(key));
  const [only] = matches;
  if (only && matches.length === 1) return only;
  throw new GovernorError(
    "RESUME_INVALID",
    key === undefined
      ? `Run ${threadId} has ${effects.length} effects whose outcome is unknown (${listed}): pass --key KEY for one`
      : `Run ${threadId} has ${matches.length ? "several" : "no"} unknown effect(s) with key ${key}; unknown: ${listed}`,
    { threadId },
  );
}
