import { compile, SqliteEffectJournal } from "@governor/core";
import { SqliteAuditJournal } from "@governor/observability";
import { loadTarget } from "../load-target.js";
import { modelFor } from "../model-for.js";
import type { Terminal } from "../terminal.js";

/**
 * `governor graph TARGET`: the compiled graph as Mermaid, governance nodes included.
 * Journals are in memory: drawing a graph writes nothing to the store.
 */
export async function graphCommand(terminal: Terminal, target: string): Promise<void> {
  const loaded = await loadTarget(target);
  const model = await modelFor(loaded);
  const graph = compile(loaded.workflow, {
    model: model?.model,
    audit: new SqliteAuditJournal(":memory:"),
    effects: new SqliteEffectJournal(":memory:"),
  });
  terminal.out((await graph.getGraphAsync()).drawMermaid());
}
