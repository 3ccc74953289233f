import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { refundSample } from "@governor/sample-refund";
import { supportSample } from "@governor/sample-support-agent";
import { afterAll, describe, expect, it } from "vitest";
import { diagramOf, renderGraphSvg } from "../src/graph/index.js";
import { compiledShape, SAMPLES } from "./graph-samples.js";
import { nodeGroup, tagsOf, textOf } from "./graph-svg-parts.js";

// Each compile loads LangGraph, SQLite and Cedar: slow on a loaded machine.
const COMPILE_TIMEOUT = 120_000;

describe("diagramOf: the compiled graph of every sample, without compiling", () => {
  for (const [name, sample] of SAMPLES) {
    it(
      `${name}: every compiled node once, with the kind and edges compile gives it`,
      async () => {
        const diagram = diagramOf(sample.workflow);
        const compiled = await compiledShape(sample);

        const ids = diagram.nodes.map((node) => node.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual([...compiled.nodes.keys()].sort());
        for (const node of diagram.nodes) {
          const reference = compiled.nodes.get(node.id);
          if (node.kind === "start" || node.kind === "end") expect(reference?.kind).toBeUndefined();
          else expect(node.kind, node.id).toBe(reference?.kind);
          // Where the author described the node, that is what the drawing says.
          const declared = Object.hasOwn(sample.workflow.nodes, node.id)
            ? sample.workflow.nodes[node.id]?.description
            : undefined;
          if (declared) expect(node.description).toBe(declared.replace(/\s+/g, " ").trim());
          expect(node.description.length, node.id).toBeGreaterThan(10);
        }

        const ends = (edge: { from: string; to: string }) => `${edge.from} -> ${edge.to}`;
        expect(new Set(diagram.edges.map(ends))).toEqual(new Set(compiled.edges.map(ends)));
        // LangGraph leaves out an outcome named like its target ("escalate" → escalate); the diagram keeps it.
        const outcomes = (edges: readonly { from: string; to: string; label?: string }[]) =>
          new Set(
            edges
              .filter((edge) => edge.label && edge.label !== edge.to)
              .map((edge) => `${ends(edge)} [${edge.label}]`),
          );
        expect(outcomes(diagram.edges)).toEqual(outcomes(compiled.edges));
      },
      COMPILE_TIMEOUT,
    );
  }
});

describe("drawing needs no model and writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "governor-graph-"));
  const store = join(dir, "store-that-must-not-appear");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("draws every sample with no model key and a store path that does not exist, and creates nothing", () => {
    const saved = { key: process.env.OPENAI_API_KEY, dir: process.env.GOVERNOR_DIR };
    delete process.env.OPENAI_API_KEY;
    process.env.GOVERNOR_DIR = store;
    const localStoreBefore = existsSync(".governor");
    try {
      for (const [name, sample] of SAMPLES) {
        const svg = renderGraphSvg(diagramOf(sample.workflow));
        expect(svg, name).toMatch(/^<svg [^>]*data-testid="graph"/);
      }
    } finally {
      if (saved.key === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved.key;
      if (saved.dir === undefined) delete process.env.GOVERNOR_DIR;
      else process.env.GOVERNOR_DIR = saved.dir;
    }
    expect(existsSync(store)).toBe(false);
    expect(existsSync(".governor")).toBe(localStoreBefore);
  });
});

describe("kinds are visibly different", () => {
  it("refund: precondition, gate, approval and action each have their own kind, outline, colour class and word", () => {
    const svg = renderGraphSvg(diagramOf(refundSample.workflow));
    const governance = {
      check_refund: "precondition",
      refund_gate: "gate",
      refund_approval: "approval",
      issue_refund: "action",
    } as const;
    const outlines = new Set<string>();
    const words = new Set<string>();
    for (const [id, kind] of Object.entries(governance)) {
      const group = nodeGroup(svg, id);
      const [groupTag, ...inner] = tagsOf(group);
      expect(groupTag?.attributes.get("data-kind"), id).toBe(kind);
      expect(groupTag?.attributes.get("class")?.split(" ")).toContain(`gv-kind-${kind}`);
      // The outline: the shape elements, with their geometry's form (not its size).
      const outline = inner
        .filter((tag) => tag.attributes.get("class")?.startsWith("gv-shape"))
        .map(
          (tag) =>
            `${tag.name}:${tag.attributes.get("rx") ?? ""}:${tag.attributes.get("points")?.split(" ").length ?? ""}`,
        )
        .join("+");
      outlines.add(outline);
      words.add(group.match(/class="gv-caption"[^>]*>([^<]*)</)?.[1] ?? "");
    }
    expect(outlines.size).toBe(4);
    expect(
      [...words]
        .filter((word) =>
          ["precondition", "policy gate", "human approval", "action (side effect)"].includes(word),
        )
        .sort(),
    ).toEqual(["action (side effect)", "human approval", "policy gate", "precondition"]);
  });

  it("support-agent: the agent loop is drawn as an agent node with its loop badge, its stages boxed together", () => {
    const diagram = diagramOf(supportSample.workflow);
    const svg = renderGraphSvg(diagram);
    const turn = nodeGroup(svg, "support");
    expect(tagsOf(turn)[0]?.attributes.get("data-kind")).toBe("agent");
    expect(turn).toContain('class="gv-badge"');
    expect(textOf(turn, "desc")).toBe("The support agent reads, acts and answers, up to eight turns");
    for (const [stage, kind] of [
      ["support.checks", "precondition"],
      ["support.gate", "gate"],
      ["support.tools", "action"],
      ["support.approval", "approval"],
    ] as const) {
      const tag = tagsOf(nodeGroup(svg, stage))[0];
      expect(tag?.attributes.get("data-kind"), stage).toBe(kind);
      expect(tag?.attributes.get("data-loop"), stage).toBe("support");
    }
    expect(svg).toContain('<g class="gv-loop" data-loop="support">');
    expect(diagram.edges).toContainEqual({
      from: "support.tools",
      to: "support",
      label: "next turn",
      conditional: true,
    });
  });

  it("the legend lists exactly the kinds drawn (start and end need no key)", () => {
    for (const [name, sample] of SAMPLES) {
      const diagram = diagramOf(sample.workflow);
      const svg = renderGraphSvg(diagram);
      const legend = tagsOf(svg)
        .map((tag) => tag.attributes.get("data-legend-kind"))
        .filter((kind) => kind !== undefined);
      const drawn = new Set(
        diagram.nodes.map((node) => node.kind).filter((kind) => kind !== "start" && kind !== "end"),
      );
      expect(new Set(legend), name).toEqual(drawn);
      expect(legend.length, name).toBe(drawn.size);
    }
  });
});

describe("where a run stands", () => {
  it("marks the current node, and only it, and each node's status", () => {
    const svg = renderGraphSvg(diagramOf(refundSample.workflow), {
      current: ["refund_approval"],
      status: {
        load_customer: "done",
        check_refund: "done",
        refund_gate: "done",
        refund_approval: "waiting",
      },
    });
    const current = tagsOf(svg).filter((tag) => tag.attributes.get("data-current") === "true");
    expect(current.map((tag) => tag.attributes.get("data-node"))).toEqual(["refund_approval"]);
    const approval = nodeGroup(svg, "refund_approval");
    expect(tagsOf(approval)[0]?.attributes.get("data-status")).toBe("waiting");
    expect(textOf(approval, "title")).toContain("current, waiting");
    expect(tagsOf(nodeGroup(svg, "refund_gate"))[0]?.attributes.get("data-status")).toBe("done");
    expect(tagsOf(nodeGroup(svg, "issue_refund"))[0]?.attributes.has("data-status")).toBe(false);
  });

  it("leaves out nodes the diagram lacks (a run of an older version): nothing marked, nothing invented", () => {
    const diagram = diagramOf(refundSample.workflow);
    const svg = renderGraphSvg(diagram, { current: ["removed_node"], status: { removed_node: "failed" } });
    expect(svg).not.toContain("removed_node");
    expect(svg).not.toContain('data-current="true"');
    expect(svg).toBe(renderGraphSvg(diagram));
  });
});

describe("layout is deterministic", () => {
  it("the same workflow gives the same SVG, laid out afresh", () => {
    for (const [name, sample] of SAMPLES) {
      // Two diagrams (two objects): the second is laid out again, not served from the cache.
      const first = renderGraphSvg(diagramOf(sample.workflow), { current: ["__start__"] });
      const second = renderGraphSvg(diagramOf(sample.workflow), { current: ["__start__"] });
      expect(second, name).toBe(first);
    }
  });
});
