import type { AuditJournal, AuditKind, AuditRecord } from "@governor/observability";
import { callHash, idempotencyKey } from "../gateway/call-hash.js";
import type { ProposedCall } from "../gateway/proposed-call.js";
import type { CallScope, ToolGateway } from "../gateway/tool-gateway.js";
import type { ApprovalRecord, GateRecord } from "../graph/governor-channel.js";

export interface RecordedDecisionInput {
  readonly audit: AuditJournal;
  readonly threadId: string;
  /** The action node about to run the call, and its tool. */
  readonly action: string;
  readonly tool: string;
  /** The precondition nodes that guard the action. */
  readonly preconditions: readonly string[];
  readonly call: ProposedCall;
  readonly gate: GateRecord;
  /** The call's arguments as the contract parsed them: part of its idempotency key. */
  readonly args: Record<string, unknown>;
}

/** The kinds of record that decide a call: the lookup names them, so the index answers it. */
const DECIDING_KINDS: readonly AuditKind[] = ["precondition", "policy", "approval", "execution"];

/**
 * What the thread's state says was decided about a call but the audit journal does not show,
 * or undefined when the journal vouches for all of it.
 *
 * A thread's state can be edited from outside the run (Studio's "edit state", the API
 * server's POST /threads/{id}/state), and a decision in it is plain data whose call hash
 * anyone can compute. The journal is written only by the nodes that decide, before their
 * decision reaches the checkpoint, so the action asks it: every precondition passed this
 * call, the gate took this effect on this exact hash, a human approved that hash when the
 * gate asked for one, and the call never ran under another idempotency key (an edited call
 * index). Only a journal that declares it keeps nothing (`discards`, a benchmark's) leaves the
 * state taken at its word; for any other, a call with nothing on record was decided by nobody.
 *
 * It reads only the records about this call (`find` by run, kinds and call id, through the
 * journal's index), so the check costs the same in a run of ten records as of ten thousand.
 */
export async function unrecordedDecision(input: RecordedDecisionInput): Promise<string | undefined> {
  const { call, gate } = input;
  const journal = await input.audit.find({
    threadId: input.threadId,
    callId: call.id,
    kinds: DECIDING_KINDS,
  });
  // Nothing on record about the call (a fresh thread started at the action with a Command
  // goto and a forged state) fails the checks below, unless the journal keeps nothing at all.
  if (!journal.length && input.audit.discards) return undefined;
  const about = (record: AuditRecord) => record.data.callId === call.id;
  const recorded = (kind: string, outcome: string, node?: string, hash?: string) =>
    journal.some(
      (record) =>
        record.kind === kind &&
        record.outcome === outcome &&
        about(record) &&
        (node === undefined || record.node === node) &&
        (hash === undefined || record.data.callHash === hash),
    );
  for (const node of input.preconditions) {
    if (!recorded("precondition", "pass", node)) return `no pass by precondition ${node} is on record for it`;
  }
  if (!recorded("policy", gate.effect, gate.node, gate.callHash))
    return `no "${gate.effect}" by ${gate.node} for this call hash is on record`;
  if (gate.effect === "require-approval" && !recorded("approval", "approved", undefined, gate.callHash))
    return "no approval of this call hash is on record";
  const key = idempotencyKey(input.threadId, input.action, call.callIndex, input.args);
  const ranElsewhere = journal.some(
    (record) =>
      record.kind === "execution" &&
      record.node === input.action &&
      record.tool === input.tool &&
      about(record) &&
      record.data.idempotencyKey !== undefined &&
      record.data.idempotencyKey !== key,
  );
  if (ranElsewhere) return "it already ran under another idempotency key";
  return undefined;
}

/** A call cleared to run, with its arguments as the contract parses them, or why it may not run. */
export type DecidedCall =
  | { readonly ok: true; readonly args: Record<string, unknown> }
  | { readonly ok: false; readonly problem: string };

/**
 * The run-time check before a decided call executes (an action node, an agent loop's tools
 * node), once the caller has found the gate that decided it: the decision was made under
 * today's policy, allowed the call or was approved on this very hash, the arguments still
 * parse to that hash, and the audit journal (which an edit of the thread's state cannot
 * reach) shows the preconditions, the gate's decision and the approval.
 */
export async function checkDecidedCall(
  input: Omit<RecordedDecisionInput, "args" | "audit" | "threadId"> & {
    readonly approval: ApprovalRecord | null | undefined;
    readonly scope: CallScope;
    readonly gateway: ToolGateway;
  },
): Promise<DecidedCall> {
  const { call, gate, approval, scope, gateway } = input;
  const refuse = (problem: string) => ({ ok: false as const, problem });
  if (gate.policyVersion !== gateway.policy.version) {
    return refuse(
      `the policy changed since the call was decided (${gate.policyVersion} → ${gateway.policy.version})`,
    );
  }
  if (gate.effect === "deny") return refuse("the gate denied this call");
  if (gate.effect === "require-approval" && (!approval?.approved || approval.callHash !== gate.callHash)) {
    return refuse("the call needs an approval it does not have");
  }
  const contract = await gateway.checkContract(call, scope);
  if (!contract.ok) return refuse("the arguments no longer pass the contract");
  if (callHash(scope.principal, input.tool, contract.args, gate.policyVersion) !== gate.callHash) {
    return refuse("the call differs from the one that was decided");
  }
  const unrecorded = await unrecordedDecision({
    ...input,
    audit: gateway.audit,
    threadId: scope.threadId,
    args: contract.args,
  });
  return unrecorded
    ? refuse(`the run's state claims a decision the audit journal does not: ${unrecorded}`)
    : { ok: true, args: contract.args };
}
