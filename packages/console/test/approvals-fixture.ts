import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApproverTokenVerifier, ConsoleQueue, ConsoleWorkflow } from "@governor/console";
import { GovernorRuntime, type RunBudget, type RunRecord } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { createRefundSample, PaymentsLedger, refundSample } from "@governor/sample-refund";
import type { Hono } from "hono";
import { createConsoleApp } from "../src/console-app.js";

/** The console's address as its Host check knows it (the app is driven in-process, no socket). */
export const ORIGIN = "http://127.0.0.1:4321";

export const LARGE_REFUND = {
  customerId: "C-100",
  orderId: "A-1002",
  request: "The laptop never arrived. I want $1,200 back now.",
};

/**
 * One test's world: a temp SQLite store, the refund sample (its payments ledger counts real
 * refunds) with its scenario model, and the console app over them, driven with `request`.
 */
export interface ApprovalsWorld {
  readonly runtime: GovernorRuntime;
  readonly ledger: PaymentsLedger;
  readonly app: Hono<never>;
  readonly workflow: ConsoleWorkflow;
  /** Starts the $1,200 refund (or another input) as the CLI would; returns its thread id. */
  start(input?: unknown, budget?: RunBudget, source?: string): Promise<string>;
  /** A browser on the console: its cookies, its forms. */
  client(): ConsoleClient;
  /** Audit records of the run with this kind and outcome. */
  records(
    threadId: string,
    kind: string,
    outcome: string,
  ): Promise<{ principal?: string; data: Record<string, unknown> }[]>;
  status(threadId: string): Promise<RunRecord["status"]>;
  close(): Promise<void>;
}

export async function approvalsWorld(
  options: {
    approverTokens?: ApproverTokenVerifier;
    defaultApprover?: string;
    queue?: ConsoleQueue;
    /** Another refund workflow, model and ledger (an injecting twin) in place of the sample's. */
    sample?: { workflow: ConsoleWorkflow["workflow"]; model: ScenarioChatModel; ledger: PaymentsLedger };
  } = {},
): Promise<ApprovalsWorld> {
  const dir = mkdtempSync(join(tmpdir(), "governor-console-approvals-"));
  const runtime = new GovernorRuntime({ dir });
  const ledger = options.sample?.ledger ?? new PaymentsLedger();
  const model = options.sample?.model ?? new ScenarioChatModel(refundSample.scenario);
  const sample = options.sample ?? createRefundSample({ ledger });
  const workflow: ConsoleWorkflow = {
    name: "refund",
    source: "sample:refund",
    workflow: sample.workflow,
    options: { model },
  };
  const app = createConsoleApp({
    runtime,
    workflows: [workflow],
    workflowFor: async (run) => (run.source === workflow.source ? workflow : undefined),
    port: 4321,
    defaultApprover: options.defaultApprover ?? "supervisor:sam",
    ...(options.approverTokens ? { approverTokens: options.approverTokens } : {}),
    ...(options.queue ? { queue: options.queue } : {}),
  }) as unknown as Hono<never>;
  return {
    runtime,
    ledger,
    app,
    workflow,
    async start(input = LARGE_REFUND, budget, source = "sample:refund") {
      const outcome = await runtime.start(sample.workflow, input, {
        model,
        source,
        ...(budget ? { budget } : {}),
      });
      if (outcome.status !== "waiting") throw new Error(`the run did not wait: ${outcome.status}`);
      return outcome.threadId;
    },
    client: () => new ConsoleClient(app),
    async records(threadId, kind, outcome) {
      const all = await runtime.store.audit.list(threadId);
      return all.filter((record) => record.kind === kind && record.outcome === outcome);
    },
    async status(threadId) {
      return (await runtime.getRun(threadId)).status;
    },
    async close() {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a form POST came to: the redirect, and the flash the page it leads to shows. */
export interface Answer {
  readonly status: number;
  readonly location: string | null;
  readonly flash: { kind: string; message: string } | undefined;
}

/**
 * A browser, reduced to what the console relies on: it keeps cookies, sends its own Origin,
 * posts forms with the CSRF token its page carried, and follows the 303 to read the flash.
 */
export class ConsoleClient {
  readonly cookies = new Map<string, string>();

  constructor(private readonly app: Hono<never>) {}

  async get(path: string): Promise<{ status: number; text: string }> {
    const response = await this.app.request(`${ORIGIN}${path}`, { headers: this.#headers() });
    this.#keep(response);
    return { status: response.status, text: await response.text() };
  }

  /** The inbox page's HTML. */
  async inbox(): Promise<string> {
    const page = await this.get("/approvals");
    if (page.status !== 200) throw new Error(`GET /approvals answered ${page.status}`);
    return page.text;
  }

  /** Posts a form as the console's own page would (CSRF token from a fresh page), and reads the flash. */
  async post(path: string, fields: Readonly<Record<string, string | readonly string[]>>): Promise<Answer> {
    const csrf = await this.csrf();
    const body = new URLSearchParams({ csrf });
    for (const [name, value] of Object.entries(fields)) {
      for (const one of typeof value === "string" ? [value] : value) body.append(name, one);
    }
    const response = await this.app.request(`${ORIGIN}${path}`, {
      method: "POST",
      body: body.toString(),
      headers: { ...this.#headers(), origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
    });
    this.#keep(response);
    const location = response.headers.get("location");
    if (response.status !== 303 || !location) return { status: response.status, location, flash: undefined };
    return { status: response.status, location, flash: flashOf((await this.get(location)).text) };
  }

  /** This browser's CSRF token, from a page with a form: the inbox, else the controls (its kill form is always there). */
  async csrf(): Promise<string> {
    for (const path of ["/approvals", "/controls"]) {
      const token = /name="csrf" value="([^"]+)"/.exec((await this.get(path)).text)?.[1];
      if (token) return token;
    }
    throw new Error("no console page carries a CSRF field");
  }

  #headers(): Record<string, string> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    return cookie ? { cookie } : {};
  }

  #keep(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const gone = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1).trim());
    }
  }
}

/** The flash a page shows, its text unescaped. */
export function flashOf(page: string): { kind: string; message: string } | undefined {
  const match = /<p class="flash (ok|error)" data-testid="flash"[^>]*>([\s\S]*?)<\/p>/.exec(page);
  if (!match?.[1] || match[2] === undefined) return undefined;
  return { kind: match[1], message: unescapeHtml(match[2]) };
}

/** The inbox entries with this test id (approval, budget-request): their opening tag and body. */
export function cards(page: string, testId: string): string[] {
  return [...page.matchAll(new RegExp(`<article[^>]*data-testid="${testId}"[\\s\\S]*?</article>`, "g"))].map(
    (match) => match[0],
  );
}

/** The text inside the element with `data-testid`, unescaped. */
export function textOf(html: string, testId: string): string | undefined {
  const match = new RegExp(`data-testid="${testId}"[^>]*>([\\s\\S]*?)</(?:dd|pre|code|p|span)>`).exec(html);
  return match?.[1] === undefined ? undefined : unescapeHtml(match[1].replace(/<[^>]+>/g, ""));
}

export function attributeOf(html: string, name: string): string | undefined {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return match?.[1] === undefined ? undefined : unescapeHtml(match[1]);
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}
