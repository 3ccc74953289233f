import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTracing } from "@governor/observability";
import { type FlatSpan, type OtlpReceiver, startOtlpReceiver } from "@governor/observability/testing";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_TEST_MS, COMMAND_TIMEOUT_MS, type GovernorResult, repoRoot } from "./support/governor-bin.js";
import { governorInProcess } from "./support/in-process.js";

// The receiver answers in this process, so the CLI runs asynchronously (spawnSync would block
// the event loop the receiver needs): one process per command, as a user runs them.

const bin = join(repoRoot, "apps/cli/bin/governor.js");
const keys = { LANGFUSE_PUBLIC_KEY: "pk-lf-e2e", LANGFUSE_SECRET_KEY: "sk-lf-e2e" };
const EMAIL = "jane.doe@example.com";
const CARD = "4111 1111 1111 1111";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(mode?: "ok" | "unauthorized" | "hang"): Promise<OtlpReceiver> {
  const started = await startOtlpReceiver(mode);
  cleanups.push(() => started.close());
  return started;
}

/** `governor` on a fresh store with this tracing environment, nothing inherited but PATH and the like. */
function governorWith(env: Record<string, string>, nodeOptions: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "governor-tracing-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const base: NodeJS.ProcessEnv = { ...process.env, GOVERNOR_DIR: dir, NO_COLOR: "1", CI: "true" };
  for (const key of Object.keys(base)) {
    if (key.startsWith("LANGFUSE_") || key.startsWith("OTEL_") || key === "OPENAI_API_KEY") delete base[key];
  }
  return (...args: string[]): Promise<GovernorResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [...nodeOptions, bin, ...args], {
        cwd: repoRoot,
        env: { ...base, ...env },
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
      });
      child.stderr.on("data", (chunk) => {
        err += chunk;
      });
      // "It ended" is the only timing this test asserts: a CLI held by its tracing never ends.
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`governor ${args.join(" ")} did not end within ${COMMAND_TIMEOUT_MS} ms\n${err}`));
      }, COMMAND_TIMEOUT_MS);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, out, err });
      });
    });
}

const traceIdOf = (thread: string) => createHash("sha256").update(thread).digest("hex").slice(0, 32);
const governorSpans = (spans: FlatSpan[]) => spans.filter((span) => span.scope === "@governor/core");
const named = (spans: FlatSpan[], name: string) => spans.filter((span) => span.name === name);
const parentOf = (spans: FlatSpan[], span: FlatSpan | undefined) =>
  spans.find((candidate) => candidate.spanId === span?.parentSpanId);
const warnings = (stderr: string, code: string) => stderr.split("\n").filter((line) => line.includes(code));

describe("governor traces to Langfuse", () => {
  it(
    "writes a run interrupted in one process and approved in another into one trace, spans nested segment → node → generation / tool → decision",
    async () => {
      const endpoint = await receiver();
      const governor = governorWith({ ...keys, LANGFUSE_BASE_URL: endpoint.url });
      const thread = "t-trace-approve";

      const run = await governor(
        "run",
        "refund",
        "--case",
        "large-refund",
        "--no-interactive",
        "--thread",
        thread,
      );
      expect(run.code).toBe(0);
      expect(run.out).toContain("waiting for approval");
      const approve = await governor("approve", thread, "--approver", "supervisor:sam");
      expect(approve.code).toBe(0);
      expect(approve.out).toContain("issue_refund executed");
      expect(run.err + approve.err).not.toContain("TRACING_");

      // What arrived: Langfuse's OTLP path with Basic auth (public:secret).
      expect(endpoint.requests.length).toBeGreaterThanOrEqual(2);
      for (const request of endpoint.requests) {
        expect(request.path).toBe("/api/public/otel/v1/traces");
        expect(request.headers.authorization).toBe(
          `Basic ${Buffer.from("pk-lf-e2e:sk-lf-e2e").toString("base64")}`,
        );
      }
      const spans = governorSpans(endpoint.spans());
      expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([traceIdOf(thread)]));

      // Two segments, one per process, both children of the run's virtual root.
      const segments = named(spans, "invoke_agent refund");
      expect(segments.map((span) => span.attributes["governor.segment"]).sort()).toEqual(["resume", "start"]);
      const root = createHash("sha256").update(`governor:run:${thread}`).digest("hex").slice(0, 16);
      for (const segment of segments) {
        expect(segment.parentSpanId).toBe(root);
        expect(segment.attributes).toMatchObject({
          "session.id": thread,
          "user.id": "agent:support",
          "gen_ai.operation.name": "invoke_agent",
          "gen_ai.agent.name": "refund",
        });
      }
      expect(segments.map((span) => span.attributes["governor.run.status"]).sort()).toEqual([
        "completed",
        "waiting",
      ]);

      // The policy decision: a guardrail under its node, under the start segment.
      const policy = named(spans, "governor.policy")[0];
      expect(policy?.attributes).toMatchObject({
        "governor.decision": "require-approval",
        "governor.policy.ids": ["refund-over-limit-needs-approval"],
        "governor.policy.reasons": ["refunds above $500 need a supervisor's approval"],
        "governor.tool": "issue_refund",
      });
      const policyNode = parentOf(spans, policy);
      expect(policyNode?.attributes["governor.node"]).toBeDefined();
      expect(parentOf(spans, policyNode)?.attributes["governor.segment"]).toBe("start");

      // The approval, with its approver, in the resume segment.
      const approved = named(spans, "governor.approval").find(
        (span) => span.attributes["governor.decision"] === "approved",
      );
      expect(approved?.attributes["governor.approval.approver"]).toBe("supervisor:sam");

      // Generations: model, token usage and cost, under a node.
      const generations = spans.filter(
        (span) => span.attributes["langfuse.observation.type"] === "generation",
      );
      expect(generations.length).toBeGreaterThanOrEqual(2);
      for (const generation of generations) {
        expect(generation.name).toMatch(/^chat /);
        expect(generation.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
        expect(generation.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
        // The CLI prices the scripted model at $0: a scripted run is not real spend.
        expect(generation.attributes["governor.cost_usd"]).toBe(0);
        expect(JSON.parse(String(generation.attributes["langfuse.observation.usage_details"]))).toMatchObject(
          {
            input: expect.any(Number),
            output: expect.any(Number),
          },
        );
        expect(parentOf(spans, generation)?.attributes["governor.node"]).toBeDefined();
      }

      // The tool call: node → execute_tool → execution decision with its idempotency key.
      const tool = named(spans, "execute_tool issue_refund")[0];
      expect(tool?.attributes["governor.execution.outcome"]).toBe("executed");
      expect(parentOf(spans, tool)?.attributes["governor.node"]).toBe("issue_refund");
      const execution = named(spans, "governor.execution")[0];
      expect(execution?.parentSpanId).toBe(tool?.spanId);
      expect(execution?.attributes).toMatchObject({
        "governor.decision": "executed",
        "governor.idempotency_key": tool?.attributes["governor.idempotency_key"],
      });
    },
    CLI_TEST_MS,
  );

  it(
    "never exports an e-mail address or a card number from the run's input, state, prompts or decisions",
    async () => {
      const endpoint = await receiver();
      const governor = governorWith({ ...keys, LANGFUSE_BASE_URL: endpoint.url });
      const input = {
        customerId: "C-100",
        orderId: "A-1002",
        request: `The laptop never arrived. Refund $1,200 to card ${CARD} and mail ${EMAIL}.`,
      };
      const run = await governor(
        "run",
        "refund",
        "--input",
        JSON.stringify(input),
        "--no-interactive",
        "--thread",
        "t-pii",
      );
      expect(run.code).toBe(0);
      const approve = await governor("approve", "t-pii", "--approver", "supervisor:sam");
      expect(approve.code).toBe(0);

      expect(governorSpans(endpoint.spans()).length).toBeGreaterThan(5);
      const bodies = endpoint.requests.map((request) => request.body).join("\n");
      // The request reached the exported prompts, masked: so the absence below is masking, not omission.
      expect(bodies).toMatch(/\[EMAIL_[0-9a-f]+\]/);
      expect(bodies).toMatch(/\[CARD_[0-9a-f]+\]/);
      for (const secret of [EMAIL, CARD, CARD.replaceAll(" ", "")]) expect(bodies).not.toContain(secret);
    },
    CLI_TEST_MS,
  );
});

describe("governor traces to a plain OTLP endpoint", () => {
  it(
    "sends the same spans to <endpoint>/v1/traces with OTEL_EXPORTER_OTLP_HEADERS and no Langfuse keys",
    async () => {
      const endpoint = await receiver();
      const governor = governorWith({
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint.url,
        OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=collector-key",
      });
      const run = await governor(
        "run",
        "refund",
        "--case",
        "large-refund",
        "--no-interactive",
        "--thread",
        "t-otlp",
      );
      expect(run.code).toBe(0);

      expect(new Set(endpoint.requests.map((request) => request.path))).toEqual(new Set(["/v1/traces"]));
      expect(endpoint.requests[0]?.headers["x-api-key"]).toBe("collector-key");
      expect(endpoint.requests[0]?.headers.authorization).toBeUndefined();
      const spans = governorSpans(endpoint.spans());
      expect(named(spans, "invoke_agent refund")).toHaveLength(1);
      expect(named(spans, "governor.policy")[0]?.attributes["governor.decision"]).toBe("require-approval");
      expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([traceIdOf("t-otlp")]));
    },
    CLI_TEST_MS,
  );
});

describe("governor without a tracing endpoint", () => {
  it(
    "sends nothing and loads neither the OpenTelemetry SDK nor Langfuse",
    async () => {
      const endpoint = await receiver();
      // Records every module the CLI resolves (an ESM resolve hook), to prove what was not loaded.
      const hooks = mkdtempSync(join(tmpdir(), "governor-hooks-"));
      cleanups.push(() => rmSync(hooks, { recursive: true, force: true }));
      writeFileSync(
        join(hooks, "hook.mjs"),
        'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write("RESOLVED " + r.url + "\\n"); return r; }\n',
      );
      writeFileSync(
        join(hooks, "register.mjs"),
        `import { register } from "node:module"; register(${JSON.stringify(`file://${join(hooks, "hook.mjs")}`)});\n`,
      );
      // LANGFUSE_HOST is not a setting of Langfuse v5: pointing it at the receiver must change nothing.
      const governor = governorWith({ LANGFUSE_HOST: endpoint.url }, [
        "--import",
        join(hooks, "register.mjs"),
      ]);
      const run = await governor("run", "refund", "--case", "small-refund", "--no-interactive");
      expect(run.code).toBe(0);
      expect(run.out).toContain("issue_refund executed");

      const resolved = run.err.split("\n").filter((line) => line.startsWith("RESOLVED "));
      expect(resolved.some((line) => line.includes("/apps/cli/dist/tracing.js"))).toBe(true);
      expect(
        resolved.filter((line) => /@opentelemetry\/(sdk-|exporter-|otlp-)|@langfuse\//.test(line)),
      ).toEqual([]);
      expect(endpoint.requests).toEqual([]);
    },
    CLI_TEST_MS,
  );
});

describe("a bad tracing endpoint never changes a run", () => {
  /** The small refund's outcome, as an untraced run prints it. */
  const expectRefunded = (result: GovernorResult) => {
    expect(result.code).toBe(0);
    expect(result.out).toContain("issue_refund executed");
    expect(result.out).toContain("completed");
  };

  it(
    "connection refused: the run completes, one TRACING_EXPORT_FAILED line names the endpoint",
    async () => {
      const closed = await startOtlpReceiver();
      const url = closed.url;
      await closed.close();
      const governor = governorWith({ ...keys, LANGFUSE_BASE_URL: url, LANGFUSE_TIMEOUT: "1" });
      const run = await governor("run", "refund", "--case", "small-refund", "--no-interactive");
      expectRefunded(run);
      const lines = warnings(run.err, "TRACING_EXPORT_FAILED");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${url}/api/public/otel/v1/traces`);
      expect(lines[0]).toMatch(/connection refused/);
      expect(lines[0]).toMatch(/\d+ of \d+ spans lost/);
    },
    CLI_TEST_MS,
  );

  it(
    "a hanging endpoint: the CLI still ends, with the run's outcome and one warning",
    async () => {
      const endpoint = await receiver("hang");
      const governor = governorWith({ ...keys, LANGFUSE_BASE_URL: endpoint.url, LANGFUSE_TIMEOUT: "1" });
      const run = await governor("run", "refund", "--case", "small-refund", "--no-interactive");
      expectRefunded(run);
      expect(endpoint.requests.length).toBeGreaterThan(0);
      const lines = warnings(run.err, "TRACING_EXPORT_FAILED");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(endpoint.url);
      expect(lines[0]).toMatch(/no answer in time|timed out/);
    },
    CLI_TEST_MS,
  );

  it(
    "wrong keys (401): the run completes, the warning says the credentials were rejected",
    async () => {
      const endpoint = await receiver("unauthorized");
      const governor = governorWith({ ...keys, LANGFUSE_BASE_URL: endpoint.url });
      const run = await governor("run", "refund", "--case", "small-refund", "--no-interactive");
      expectRefunded(run);
      const lines = warnings(run.err, "TRACING_EXPORT_FAILED");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/HTTP 401: the endpoint rejected the credentials/);
    },
    CLI_TEST_MS,
  );

  it(
    "half the Langfuse keys: one TRACING_CONFIG_INVALID line naming the missing variable, and the run goes on untraced",
    async () => {
      const endpoint = await receiver();
      const governor = governorWith({ LANGFUSE_PUBLIC_KEY: "pk-only", LANGFUSE_BASE_URL: endpoint.url });
      const run = await governor("run", "refund", "--case", "small-refund", "--no-interactive");
      expectRefunded(run);
      const lines = warnings(run.err, "TRACING_CONFIG_INVALID");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("LANGFUSE_SECRET_KEY");
      expect(lines[0]).toContain("running untraced");
      expect(endpoint.requests).toEqual([]);
    },
    CLI_TEST_MS,
  );
});

describe("a dead exporter in the same process as the runs", () => {
  /** Output lines without what differs between two runs of the same cases (store, ids, hashes, times, refund numbers). */
  const normalized = (lines: string[], dir: string) =>
    lines.map((line) =>
      line
        .replace(dir, "<store>")
        .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>")
        .replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, "<uuid>")
        .replace(/[0-9a-f]{8,}/g, "<id>")
        // The sample's payment stub numbers refunds per process: R-1 in the first run, R-2 in the next.
        .replace(/\bR-\d+\b/g, "R-#"),
    );

  it(
    "every refund case ends as it does untraced while the endpoint hangs: the queue overflows, spans are dropped and failed, and counted",
    async () => {
      const hanging = await receiver("hang");
      const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), "governor-dead-exporter-")));
      cleanups.push(() => {
        for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      });
      const untraced = await governorInProcess(
        "run",
        "refund",
        "--no-interactive",
        "--dir",
        dirs[0] as string,
      );

      // A tiny queue and fast batches: the run's spans overflow it while every export hangs.
      const tracing = await startTracing({
        config: {
          kind: "otlp",
          url: `${hanging.url}/v1/traces`,
          headers: {},
          timeoutMs: 200,
          batchSize: 5,
          flushIntervalMs: 1,
          maxQueueSize: 10,
          serviceName: "governor",
        },
      });
      const traced = await governorInProcess("run", "refund", "--no-interactive", "--dir", dirs[1] as string);
      const report = await tracing.shutdown({ timeoutMs: 5_000 });

      expect(traced.code).toBe(untraced.code);
      expect(normalized(traced.out, dirs[1] as string)).toEqual(normalized(untraced.out, dirs[0] as string));
      expect(report.exported).toBe(0);
      expect(report.dropped).toBeGreaterThan(0);
      expect(report.failed).toBeGreaterThan(0);
      expect(report.errors.map((problem) => problem.kind)).toEqual(["timeout"]);
      expect(hanging.requests.length).toBeGreaterThan(0);
    },
    CLI_TEST_MS,
  );
});
