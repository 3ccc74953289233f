import { randomBytes } from "node:crypto";
import {
  compile,
  resolveNamedModels,
  type SampleDefinition,
  SqliteEffectJournal,
  scratchMemoryStore,
} from "@governor/core";
import { hs256Keys } from "@governor/identity";
import { resolveChatModel } from "@governor/models";
import { SqliteAuditJournal } from "@governor/observability";
import { carrierRoutingSample } from "@governor/sample-carrier-routing";
import { claimsSample } from "@governor/sample-claims";
import { mailboxSample } from "@governor/sample-mailbox";
import { receivablesSample } from "@governor/sample-receivables";
import { refundSample } from "@governor/sample-refund";
import { supplyChainSample } from "@governor/sample-supply-chain";
import { supportSample } from "@governor/sample-support-agent";

/** Every sample under graphs/, by package name. */
export const SAMPLES: readonly (readonly [string, SampleDefinition])[] = [
  ["refund", refundSample],
  ["claims", claimsSample],
  ["mailbox", mailboxSample],
  ["support-agent", supportSample],
  ["receivables", receivablesSample],
  ["supply-chain", supplyChainSample],
  ["carrier-routing", carrierRoutingSample],
];

export interface CompiledShape {
  /** Node name → the kind compile put in its metadata (`governor`), and its description. */
  readonly nodes: ReadonlyMap<string, { kind?: string; description?: string }>;
  readonly edges: readonly { from: string; to: string; label?: string }[];
}

/**
 * The sample's graph as compile builds it and `governor graph` draws it (apps/cli's graph
 * command: in-memory journals, a throwaway key, a scratch memory store), with its offline
 * scenario models: the reference the diagram is checked against.
 */
export async function compiledShape(sample: SampleDefinition): Promise<CompiledShape> {
  const env = {};
  const { model } = await resolveChatModel({ scenario: sample.scenario, env });
  const named = await resolveNamedModels(sample.workflow, sample.models, env);
  const graph = compile(sample.workflow, {
    model,
    models: named?.models,
    audit: new SqliteAuditJournal(":memory:"),
    effects: new SqliteEffectJournal(":memory:"),
    memory: scratchMemoryStore(),
    tokenKeys: hs256Keys(randomBytes(32)),
  });
  const drawn = await graph.getGraphAsync();
  const nodes = new Map<string, { kind?: string; description?: string }>();
  for (const [id, node] of Object.entries(drawn.nodes)) {
    const metadata = (node.metadata ?? {}) as { governor?: string; description?: string };
    nodes.set(id, { kind: metadata.governor, description: metadata.description });
  }
  const edges = drawn.edges.map((edge) => ({
    from: edge.source,
    to: edge.target,
    ...(typeof edge.data === "string" && edge.data !== "" ? { label: edge.data } : {}),
  }));
  return { nodes, edges };
}
