import { defineWorkflow, type Workflow } from "@governor/core";
import { GovernorError, WorkflowValidationError } from "@governor/errors";
import { refundSample } from "@governor/sample-refund";
import { describe, expect, it } from "vitest";
import {
  type Diagram,
  diagramOf,
  type GraphRenderOptions,
  layoutDiagram,
  renderGraphSvg,
} from "../src/graph/index.js";
import { HOSTILE, hostileWorkflow, LONG } from "./graph-hostile.js";
import { SAMPLES } from "./graph-samples.js";
import { nodeGroup, tagsOf, textOf, unescapeXml } from "./graph-svg-parts.js";

/** Every element and attribute a drawing may have: anything else (a script, a handler, a style) fails. */
const ELEMENTS = new Set([
  "svg",
  "title",
  "desc",
  "defs",
  "marker",
  "path",
  "g",
  "rect",
  "polygon",
  "text",
  "circle",
]);
const ATTRIBUTES = new Set([
  "xmlns",
  "class",
  "viewBox",
  "width",
  "height",
  "role",
  "aria-labelledby",
  "id",
  "refX",
  "refY",
  "markerWidth",
  "markerHeight",
  "orient",
  "d",
  "marker-end",
  "transform",
  "tabindex",
  "x",
  "y",
  "rx",
  "r",
  "points",
]);

/** The SVG holds only allowed elements and attributes, each attribute a whole `name="value"` pair. */
function expectInert(svg: string): void {
  for (const tag of tagsOf(svg)) {
    expect(ELEMENTS, `element <${tag.name}>`).toContain(tag.name);
    expect(["", "/"], `stray text in <${tag.name}>`).toContain(tag.rest);
    for (const [name, value] of tag.attributes) {
      if (!name.startsWith("data-")) expect(ATTRIBUTES, `attribute ${name} on <${tag.name}>`).toContain(name);
      expect(unescapeXml(value).toLowerCase(), `${name} value`).not.toMatch(/^\s*javascript:/);
    }
  }
  // Characters XML forbids even escaped, and lone surrogates, never reach the output.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
  expect(svg).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  expect(svg).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
}

describe("every text in a drawing is escaped", () => {
  it("a workflow's own text (name, descriptions, branch names) is shown as text, never as markup", () => {
    const diagram = diagramOf(hostileWorkflow());
    const svg = renderGraphSvg(diagram);
    expectInert(svg);
    expect(unescapeXml(tagsOf(svg)[0]?.attributes.get("data-workflow") ?? "")).toBe(`refunds ${HOSTILE}`);
    // The 2,000-character description is there whole, as text.
    const pick = nodeGroup(svg, "pick");
    expect(textOf(pick, "desc")).toBe(LONG.replace(/\s+/g, " ").trim());
    expect(textOf(pick, "title")).toContain(HOSTILE.replace(/\s+/g, " ").trim());
    // Branch names are edge labels; the approver's id is in the approval's description.
    // A long one is cut in the drawing and whole in its title.
    expect(svg).toContain('<text y="4">&lt;a href=&quot;javascript:x&quot;&gt;…</text>');
    expect(svg).toContain("<title>pick → check: &lt;a href=&quot;javascript:x&quot;&gt;go&lt;/a&gt;</title>");
    expect(svg).toContain("stop &amp; &#39;wait&#39;");
    // Approver ids are checked by defineIdentity; the approval's line names the one entitled.
    expect(textOf(nodeGroup(svg, "approve"), "desc")).toContain("boss:sam");
    // Control characters and a lone surrogate become U+FFFD; the rest of the text stays.
    expect(textOf(nodeGroup(svg, "gate"), "desc")).toBe('\uFFFD\uFFFD[31mred\uFFFD and "quoted"');
  });

  it("a diagram built by hand (ids, labels, loops, edge labels of any text) is escaped the same way", () => {
    const id = `"><script>alert(1)</script><g onclick="x`;
    const longId = `n${"x".repeat(199)}`;
    const diagram: Diagram = {
      workflow: HOSTILE,
      nodes: [
        { id, label: id, kind: "agent", description: HOSTILE, loop: HOSTILE },
        { id: longId, label: longId, kind: "task", description: LONG },
        {
          id: "\uD83D\uDCA5\u0007",
          label: "\uD83D\uDCA5\u0007",
          kind: "action",
          description: "emoji and a bell",
        },
      ],
      edges: [
        { from: id, to: longId, label: HOSTILE, conditional: true },
        { from: longId, to: "\uD83D\uDCA5\u0007", conditional: false },
      ],
      loops: [{ id: HOSTILE, label: HOSTILE }],
    };
    const svg = renderGraphSvg(diagram, { current: [id], status: { [id]: "failed" } });
    expectInert(svg);
    const node = tagsOf(svg).find((tag) => tag.attributes.get("data-current") === "true");
    expect(unescapeXml(node?.attributes.get("data-node") ?? "")).toBe(id);
    // A long label is cut with an ellipsis in the node; the whole id stays in its title.
    const long = nodeGroup(svg, longId);
    const shown = long.match(/class="gv-label"[^>]*>([^<]*)</)?.[1] ?? "";
    expect([...shown].length).toBeLessThanOrEqual(30);
    expect(shown.endsWith("…")).toBe(true);
    expect(textOf(long, "title")).toContain(longId);
    // The emoji is kept whole (no split surrogate pair); the bell is replaced.
    expect(svg).toContain('data-node="\uD83D\uDCA5\uFFFD"');
  });

  it("no drawing of any sample has a script, a handler, a style attribute or an unknown element", () => {
    for (const [name, sample] of SAMPLES) {
      const svg = renderGraphSvg(diagramOf(sample.workflow), {
        current: ["__start__"],
        status: { __start__: "done" },
      });
      expect(svg, name).not.toContain("style=");
      expectInert(svg);
    }
  });
});

describe("bad input is refused with a typed error", () => {
  const diagram = () => diagramOf(refundSample.workflow);

  it.each<[string, GraphRenderOptions]>([
    ["a status that is not done, waiting or failed", { status: { refund_gate: "running" as never } }],
    ["a status that is not a string", { status: { refund_gate: 1 as never } }],
    ["a status named like an inherited property", { status: JSON.parse('{"__proto__": "nope"}') }],
    ["current that is not a list", { current: "refund_gate" as never }],
    ["current with a non-string id", { current: [42 as never] }],
    ["an id prefix that breaks out of its attribute", { idPrefix: 'x"><script>' }],
    ["an empty id prefix", { idPrefix: "" }],
    ["an id prefix starting with a digit", { idPrefix: "1graph" }],
  ])("renderGraphSvg refuses %s with CONFIG_INVALID", (_case, options) => {
    const attempt = () => renderGraphSvg(diagram(), options);
    expect(attempt).toThrow(GovernorError);
    expect(attempt).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
  });

  const node = { id: "a", label: "a", kind: "task", description: "d" } as const;
  const sound: Diagram = {
    workflow: "w",
    nodes: [node, { ...node, id: "b", label: "b" }],
    edges: [],
    loops: [],
  };
  it.each<[string, unknown, string]>([
    ["a node of a kind it cannot draw", { ...sound, nodes: [{ ...node, kind: "script" }] }, "nodes[0]"],
    [
      "a kind named like an inherited property",
      { ...sound, nodes: [{ ...node, kind: "constructor" }] },
      "nodes[0]",
    ],
    ["a repeated node id", { ...sound, nodes: [node, node] }, "nodes[1]"],
    ["a node without a description", { ...sound, nodes: [{ ...node, description: undefined }] }, "nodes[0]"],
    ["a node with an id that is not text", { ...sound, nodes: [{ ...node, id: 7 }] }, "nodes[0]"],
    ["a node in a loop the diagram lacks", { ...sound, nodes: [{ ...node, loop: "ghost" }] }, "nodes[0]"],
    [
      "an edge to a node the diagram lacks",
      { ...sound, edges: [{ from: "a", to: "ghost", conditional: false }] },
      "edges[0]",
    ],
    [
      "an edge from a node the diagram lacks",
      { ...sound, edges: [{ from: "ghost", to: "a", conditional: false }] },
      "edges[0]",
    ],
    [
      "an edge label that is not text",
      { ...sound, edges: [{ from: "a", to: "b", label: {}, conditional: true }] },
      "edges[0]",
    ],
    [
      "a repeated loop",
      {
        ...sound,
        loops: [
          { id: "l", label: "l" },
          { id: "l", label: "l" },
        ],
      },
      "loops[1]",
    ],
    ["nodes that are not a list", { ...sound, nodes: "a" }, "nodes"],
    ["no workflow name", { ...sound, workflow: undefined }, "workflow"],
  ])("renderGraphSvg and layoutDiagram refuse %s, naming where", (_case, bad, path) => {
    for (const draw of [() => renderGraphSvg(bad as Diagram), () => layoutDiagram(bad as Diagram)]) {
      expect(draw).toThrow(GovernorError);
      expect(draw).toThrow(
        expect.objectContaining({ code: "CONFIG_INVALID", details: expect.objectContaining({ path }) }),
      );
    }
  });

  it("the sound diagram those are made from draws", () => {
    expect(renderGraphSvg(sound)).toContain('data-node="b"');
  });

  it.each<[string, unknown, string]>([
    ["nothing", undefined, "WORKFLOW_INVALID"],
    ["a plain object", { name: "x", nodes: {}, edges: [] }, "WORKFLOW_INVALID"],
    ["a string", "refund", "WORKFLOW_INVALID"],
  ])("diagramOf refuses %s with %s", (_case, value, code) => {
    expect(() => diagramOf(value as Workflow)).toThrow(expect.objectContaining({ code }));
  });

  it("diagramOf refuses a workflow that does not validate, with every problem and its path", () => {
    const base = hostileWorkflow();
    const broken = defineWorkflow({
      ...base,
      nodes: { ...base.nodes, stray: { kind: "task", run: () => ({}) } },
      edges: [...base.edges, ["act", "nowhere"]],
    });
    let error: unknown;
    try {
      diagramOf(broken);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WorkflowValidationError);
    const issues = (error as WorkflowValidationError).issues.map((issue) => `${issue.code} ${issue.path}`);
    expect(issues.some((issue) => issue.startsWith("WORKFLOW_UNKNOWN_NODE"))).toBe(true);
    expect(issues.some((issue) => issue.startsWith("WORKFLOW_UNREACHABLE"))).toBe(true);
  });
});
