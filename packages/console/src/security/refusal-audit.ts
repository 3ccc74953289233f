import { type GovernorRuntime, KILL_SWITCH_THREAD } from "@governor/core";

const DECISION = /^\/(approvals|budgets)\/([^/]{1,200})\/decide$/;
const KILL = /^\/controls\/(kill|unkill)$/;

/**
 * Writes a refused cross-site or token-less POST to the audit journal when it tried to decide
 * a run or move a kill switch, so an attack on the console leaves a trace where the decisions
 * are. Requests naming a thread the store does not hold are not written: a hostile page could
 * otherwise fill the journal with threads of its choosing.
 */
export async function auditRefusedPost(
  runtime: GovernorRuntime,
  path: string,
  why: string,
  request: { readonly origin?: string; readonly host?: string },
): Promise<void> {
  const data = {
    reason: `console refused the request: ${why}`,
    path: path.slice(0, 300),
    origin: request.origin?.slice(0, 200) ?? null,
    host: request.host?.slice(0, 200) ?? null,
  };
  const decision = DECISION.exec(path);
  if (decision?.[2]) {
    const threadId = safeDecode(decision[2]);
    if (threadId === undefined || !(await runtime.store.runs.get(threadId))) return;
    await runtime.store.audit.append({
      threadId,
      kind: decision[1] === "budgets" ? "budget" : "approval",
      outcome: "refused",
      data,
    });
    return;
  }
  const kill = KILL.exec(path);
  if (kill) {
    await runtime.store.audit.append({
      threadId: KILL_SWITCH_THREAD,
      kind: "kill",
      outcome: "refused",
      data: { ...data, action: kill[1] },
    });
  }
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
