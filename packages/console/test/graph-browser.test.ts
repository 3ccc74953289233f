import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { refundSample } from "@governor/sample-refund";
import { launchChromium } from "@governor/testing-services";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagramOf, renderGraphSvg } from "../src/graph/index.js";
import { HOSTILE, hostileWorkflow } from "./graph-hostile.js";
import { SAMPLES } from "./graph-samples.js";

// Chromium on a loaded 2-core machine: minutes, not seconds.
const BROWSER_MS = 240_000;
/** The console's Content-Security-Policy (console-contract.md): no inline script or style at all. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const STYLESHEET = readFileSync(new URL("../static/graph.css", import.meta.url), "utf8");

/** Every sample's drawing, the refund one marked as a run waiting at its approval, and the hostile workflow. */
function page(): string {
  const drawings = [
    ...SAMPLES.map(([name, sample]) =>
      name === "refund"
        ? renderGraphSvg(diagramOf(refundSample.workflow), {
            current: ["refund_approval"],
            status: {
              load_customer: "done",
              propose: "done",
              check_refund: "done",
              refund_gate: "done",
              refund_approval: "waiting",
            },
          })
        : renderGraphSvg(diagramOf(sample.workflow)),
    ),
    renderGraphSvg(diagramOf(hostileWorkflow()), { idPrefix: "hostile" }),
  ];
  return `<!doctype html><html><head><meta charset="utf-8"><title>graphs</title><link rel="stylesheet" href="/static/graph.css"></head><body>${drawings
    .map((svg) => `<section>${svg}</section>`)
    .join("")}</body></html>`;
}

/** Serves the page and the real stylesheet under the console's CSP, as the console does. */
function serve(html: string): Promise<Server> {
  const server = createServer((request, response) => {
    const css = request.url === "/static/graph.css";
    response.writeHead(css || request.url === "/" ? 200 : 404, {
      "content-type": css ? "text/css; charset=utf-8" : "text/html; charset=utf-8",
      "content-security-policy": CSP,
      "x-content-type-options": "nosniff",
    });
    response.end(css ? STYLESHEET : request.url === "/" ? html : "");
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("graphs in a real browser, under the console's CSP", () => {
  let browser: Browser;
  let server: Server;
  let tab: Page;
  const violations: string[] = [];

  beforeAll(async () => {
    server = await serve(page());
    browser = await launchChromium();
    tab = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
    tab.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await tab.waitForLoadState("load");
  }, BROWSER_MS);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it(
    "is styled by the stylesheet alone: kinds are coloured, outcome edges dashed, and the CSP refuses nothing",
    async () => {
      const styles = await tab.evaluate(() => {
        const fill = (selector: string) => {
          const element = document.querySelector(selector);
          return element ? getComputedStyle(element).fill : "missing";
        };
        const dashed = document.querySelector(".gv-conditional .gv-edge-line");
        return {
          gate: fill('g[data-node="refund_gate"] .gv-shape'),
          approval: fill('g[data-node="refund_approval"] .gv-shape'),
          action: fill('g[data-node="issue_refund"] .gv-shape'),
          dash: dashed ? getComputedStyle(dashed).strokeDasharray : "missing",
        };
      });
      expect(styles).toEqual({
        gate: "rgb(252, 235, 196)",
        approval: "rgb(245, 220, 234)",
        action: "rgb(249, 220, 203)",
        dash: "6px, 4px",
      });
      expect(violations).toEqual([]);
    },
    BROWSER_MS,
  );

  it(
    "renders hostile text as text: no script, no handler, no link, and the text reads as written",
    async () => {
      const found = await tab.evaluate(() => {
        const all = [...document.querySelectorAll("*")];
        const hostile = document.querySelector('svg[data-workflow^="refunds "]');
        return {
          scripts: document.querySelectorAll("script, img, a, foreignObject, iframe").length,
          handlers: all.flatMap((element) =>
            [...element.attributes]
              .filter((attribute) => /^on/i.test(attribute.name))
              .map((attribute) => attribute.name),
          ),
          workflow: hostile?.getAttribute("data-workflow"),
          description: hostile?.querySelector('g[data-node="gate"] > desc')?.textContent,
          branch: hostile?.querySelector(".gv-edge-label title")?.textContent,
          alerted: (window as unknown as { alerted?: boolean }).alerted ?? false,
        };
      });
      expect(found.scripts).toBe(0);
      expect(found.handlers).toEqual([]);
      expect(found.workflow).toBe(`refunds ${HOSTILE}`);
      expect(found.description).toBe('\uFFFD\uFFFD[31mred\uFFFD and "quoted"');
      expect(found.branch).toBe(`pick → check: <a href="javascript:x">go</a>`);
    },
    BROWSER_MS,
  );

  it(
    "every node shows its title on hover, and the current node is the waiting approval",
    async () => {
      const nodes = await tab.evaluate(() =>
        [...document.querySelectorAll("g[data-node]")].map((node) => ({
          first: node.firstElementChild?.tagName,
          title: node.firstElementChild?.textContent ?? "",
          desc: node.querySelector(":scope > desc")?.textContent ?? "",
          current: node.getAttribute("data-current"),
          id: node.getAttribute("data-node"),
        })),
      );
      for (const node of nodes) {
        expect(node.first, node.id ?? "").toBe("title");
        expect(node.title).toContain(node.desc);
      }
      expect(nodes.filter((node) => node.current === "true").map((node) => node.id)).toEqual([
        "refund_approval",
      ]);
    },
    BROWSER_MS,
  );

  it(
    "the current node's halo shows only there, and follows data-current as the live script moves it",
    async () => {
      const shown = () =>
        tab.evaluate(() =>
          [...document.querySelectorAll<SVGGElement>("g[data-node]")]
            .filter((node) => {
              const halo = node.querySelector(":scope > .gv-halo");
              return halo !== null && getComputedStyle(halo).display !== "none";
            })
            .map((node) => node.dataset.node),
        );
      expect(await shown()).toEqual(["refund_approval"]);
      // What static/console.js does when a run moves on: the attribute moves, the SVG stays.
      await tab.evaluate(() => {
        document.querySelector('g[data-node="refund_approval"]')?.removeAttribute("data-current");
        document.querySelector('g[data-node="issue_refund"]')?.setAttribute("data-current", "true");
      });
      expect(await shown()).toEqual(["issue_refund"]);
      await tab.evaluate(() => {
        document.querySelector('g[data-node="issue_refund"]')?.removeAttribute("data-current");
        document.querySelector('g[data-node="refund_approval"]')?.setAttribute("data-current", "true");
      });
    },
    BROWSER_MS,
  );

  it(
    "nothing overlaps: labels inside their outlines, nodes apart, edge labels off the nodes, all inside the picture",
    async () => {
      const problems = await tab.evaluate(() => {
        const found: string[] = [];
        const corners = (box: DOMRect) => [
          new DOMPoint(box.x, box.y),
          new DOMPoint(box.x + box.width, box.y),
          new DOMPoint(box.x, box.y + box.height),
          new DOMPoint(box.x + box.width, box.y + box.height),
        ];
        const overlap = (a: DOMRect, b: DOMRect) =>
          Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
          Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
        for (const svg of document.querySelectorAll("svg[data-testid=graph]")) {
          const name = svg.getAttribute("data-workflow")?.slice(0, 20);
          const nodes = [...svg.querySelectorAll<SVGGElement>("g[data-node]")];
          for (const node of nodes) {
            const shape = node.querySelector<SVGGeometryElement>(":scope > .gv-shape");
            if (!shape) {
              found.push(`${name}: ${node.dataset.node} has no outline`);
              continue;
            }
            // Text and outline share the node's coordinates: every corner of every text is in the fill.
            for (const text of node.querySelectorAll<SVGTextElement>(":scope > text")) {
              for (const corner of corners(text.getBBox())) {
                if (!shape.isPointInFill(corner))
                  found.push(`${name}: "${text.textContent}" leaves ${node.dataset.node}`);
              }
              const rim = node.querySelector<SVGGeometryElement>(":scope > path.gv-shape-inner");
              if (rim && text.getBBox().y < rim.getBBox().y + rim.getBBox().height) {
                found.push(`${name}: "${text.textContent}" crosses the lid of ${node.dataset.node}`);
              }
            }
          }
          const boxes = nodes.map((node) => ({
            id: node.dataset.node,
            box: (node.querySelector(":scope > .gv-shape") as Element).getBoundingClientRect(),
          }));
          boxes.forEach((a, index) => {
            for (const b of boxes.slice(index + 1))
              if (overlap(a.box, b.box)) found.push(`${name}: ${a.id} overlaps ${b.id}`);
          });
          for (const label of svg.querySelectorAll(".gv-edge-label rect")) {
            for (const node of boxes) {
              if (overlap(label.getBoundingClientRect(), node.box)) {
                found.push(
                  `${name}: edge label "${label.nextElementSibling?.textContent}" covers ${node.id}`,
                );
              }
            }
          }
          const view = (svg as SVGSVGElement).viewBox.baseVal;
          const content = (svg as SVGSVGElement).getBBox();
          if (
            content.x < view.x ||
            content.y < view.y ||
            content.x + content.width > view.x + view.width + 0.5 ||
            content.y + content.height > view.y + view.height + 0.5
          ) {
            found.push(
              `${name}: drawing ${JSON.stringify(content)} outside its viewBox ${view.width}x${view.height}`,
            );
          }
        }
        return found;
      });
      expect(problems).toEqual([]);
      // To look at the drawings, one PNG each: GOVERNOR_GRAPH_PNG_DIR=/tmp/graphs npx vitest run <this file>
      const dir = process.env.GOVERNOR_GRAPH_PNG_DIR;
      if (dir) {
        const drawings = tab.locator("svg[data-testid=graph]");
        const names = [...SAMPLES.map(([name]) => name), "hostile"];
        for (const [index, name] of names.entries()) {
          await drawings.nth(index).screenshot({ path: join(dir, `graph-${name}.png`) });
        }
      }
    },
    BROWSER_MS,
  );
});
