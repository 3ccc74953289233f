import { randomBytes } from "node:crypto";
import { compile, SqliteEffectJournal, scratchMemoryStore } from "@governor/core";
import { hs256Keys } from "@governor/identity";
import { SqliteAuditJournal } from "@governor/observability";
import { loadTarget } from "../load-target.js";
import { drawingModels } from "../model-for.js";
import type { Terminal } from "../terminal.js";
import { readWorkflowConfig } from "../workflow-config.js";

/**
 * `governor graph TARGET`: the compiled graph as Mermaid, governance nodes included.
 * Journals and keys are in memory: drawing a graph writes nothing to the store, and its
 * models are empty offline scripts: drawing needs no API key and calls no model.
 */
export async function graphCommand(
  terminal: Terminal,
  target: string,
  options: { config?: string } = {},
): Promise<void> {
  const loaded = await loadTarget(target, readWorkflowConfig(options.config));
  const graph = compile(loaded.workflow, {
    ...(await drawingModels(loaded)),
    audit: new SqliteAuditJournal(":memory:"),
    effects: new SqliteEffectJournal(":memory:"),
    // Memory nodes need a store to compile; drawing never reads or writes it.
    memory: scratchMemoryStore(),
    // A throwaway key: drawing never verifies a decision.
    tokenKeys: hs256Keys(randomBytes(32)),
  });
  terminal.out((await graph.getGraphAsync()).drawMermaid());
}
