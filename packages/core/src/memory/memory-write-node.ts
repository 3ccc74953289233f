import { GovernorError } from "@governor/errors";
import type { MemoryEvent } from "@governor/memory";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ExecutionControl } from "../control/execution-control.js";
import { emit } from "../graph/events.js";
import type { GovernorUpdate } from "../graph/governor-channel.js";
import { type NodeServices, scopeOf, stepAudit } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import { type BudgetedExtraction, budgetedExtraction, ExtractionStopped } from "./budgeted-extraction.js";
import { memoryBatchKeys, memoryStepKey } from "./memory-batch-key.js";
import { extractIntoMemory, extractionModelOf } from "./memory-extraction.js";
import type { MemoryWriteNode } from "./memory-node-definitions.js";
import { checkedStateUpdate } from "./memory-state-update.js";
import { memoryStoreOf } from "./step-memory.js";

/**
 * A memory write step: the node's fact writes as one atomic batch under the run's principal,
 * thread and node, keyed by its step and its content so LangGraph re-running it (resume,
 * recovery, replay) writes nothing twice.
 * Writes that wait for an approval stay pending in the store and the run goes on; the events
 * (into `into`, and on the stream) say which.
 *
 * @throws {GovernorError} CONFIG_INVALID when compiled without a memory store (at compile).
 */
export function memoryWriteNode(
  id: string,
  node: MemoryWriteNode<GraphState>,
  services: NodeServices,
  control: ExecutionControl,
) {
  const store = memoryStoreOf(services, id);
  const extraction = node.extract && {
    declared: node.extract,
    model: extractionModelOf(services, id, node.extract),
  };
  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = scopeOf(config, id, services);
    let events: MemoryEvent[];
    let metered: BudgetedExtraction | undefined;
    if (extraction) {
      // A re-run of the step finds its batch before asking the model again.
      const stepKey = memoryStepKey(config, id);
      const written = stepKey ? store.writtenBatch(stepKey) : undefined;
      if (written) events = written;
      else {
        metered = budgetedExtraction({
          id,
          model: extraction.model,
          state,
          scope,
          config,
          control,
          services,
          audit: stepAudit(services, scope, config),
        });
        try {
          events = await extractIntoMemory(store, metered.model, extraction.declared, state, services, {
            node: id,
            principal: scope.principal,
            threadId: scope.threadId,
            ...(stepKey ? { batchKey: stepKey } : {}),
          });
        } catch (error) {
          // A human stopped the run rather than grant more budget: nothing was written.
          if (error instanceof ExtractionStopped) {
            const stopped: GovernorUpdate = { budget: error.budget, stop: error.stop };
            return { governor: stopped };
          }
          throw error;
        }
      }
    } else {
      const writes = await node.facts?.(state);
      if (!Array.isArray(writes)) {
        throw new GovernorError(
          "MEMORY_FACT_INVALID",
          `memory-write node ${id}: facts(state) gave ${writes === null ? "null" : typeof writes}, not a list of fact writes; nothing was written`,
          { node: id },
        );
      }
      const batchKey = memoryBatchKeys(config, id, writes);
      events =
        writes.length === 0
          ? []
          : await store.write(
              {
                principal: scope.principal,
                threadId: scope.threadId,
                node: id,
                ...(batchKey.length ? { batchKey } : {}),
              },
              writes,
            );
    }
    emit(config, {
      type: "memory-write",
      node: id,
      events: events.map((event) => ({
        event: event.event,
        status: event.status,
        key: `${event.key.entity}.${event.key.attribute}`,
        ...(event.reason ? { reason: event.reason } : {}),
      })),
      pending: events.flatMap((event) =>
        event.approval ? [{ requestId: event.approval.requestId, summary: event.approval.summary }] : [],
      ),
    });
    const usage = metered?.usage();
    const budget = metered?.budget();
    const governor: GovernorUpdate | undefined =
      usage || budget ? { ...(usage ? { usage } : {}), ...(budget ? { budget } : {}) } : undefined;
    return {
      ...(node.into ? checkedStateUpdate(services, id, { [node.into]: events }) : {}),
      ...(governor ? { governor } : {}),
    };
  };
}
