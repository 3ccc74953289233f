import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (dir: string) => fileURLToPath(new URL(`${dir}/src/index.ts`, import.meta.url));

// Tests import every workspace package from its TypeScript source, so a test never runs
// against a stale dist/. Only the Studio server test needs the built output (npm test builds it).
export const governorAliases = {
  "@governor/core": src("./packages/core"),
  "@governor/langchain": src("./packages/langchain"),
  "@governor/errors": src("./packages/errors"),
  "@governor/policy": src("./packages/policy"),
  "@governor/identity": src("./packages/identity"),
  "@governor/observability/testing": fileURLToPath(
    new URL("./packages/observability/src/testing.ts", import.meta.url),
  ),
  "@governor/observability": src("./packages/observability"),
  "@governor/models/testing": fileURLToPath(new URL("./packages/models/src/testing.ts", import.meta.url)),
  "@governor/models": src("./packages/models"),
  "@governor/memory": src("./packages/memory"),
  "@governor/testing-services": src("./packages/testing-services"),
  "@governor/store-contracts": src("./packages/store-contracts"),
  "@governor/store-postgres": src("./packages/store-postgres"),
  "@governor/workers": src("./packages/workers"),
  "@governor/resilience-redis": src("./packages/resilience-redis"),
  "@governor/console": src("./packages/console"),
  "@governor/sample-refund": src("./graphs/refund"),
  "@governor/sample-claims": src("./graphs/claims"),
  "@governor/sample-mailbox": src("./graphs/mailbox"),
  "@governor/sample-support-agent": src("./graphs/support-agent"),
  "@governor/sample-receivables": src("./graphs/receivables"),
  "@governor/sample-supply-chain": src("./graphs/supply-chain"),
  "@governor/sample-carrier-routing": src("./graphs/carrier-routing"),
};

// Every CLI test runs the real binary, one process per command: on a loaded machine a single
// command has taken tens of seconds, so the project's tests get four minutes, not thirty seconds.
const slowProjects: Record<string, number> = { "apps/cli": 240_000 };

const workspaces = [
  "packages/errors",
  "packages/identity",
  "packages/policy",
  "packages/observability",
  "packages/models",
  "packages/memory",
  "packages/core",
  "packages/langchain",
  "packages/testing-services",
  "packages/store-contracts",
  "packages/store-postgres",
  "packages/workers",
  "packages/resilience-redis",
  "packages/console",
  "graphs/refund",
  "graphs/claims",
  "graphs/mailbox",
  "graphs/support-agent",
  "graphs/receivables",
  "graphs/supply-chain",
  "graphs/carrier-routing",
  "apps/cli",
  "test/red-team",
];

export default defineConfig({
  resolve: { alias: governorAliases },
  test: {
    // One project per workspace package, all sharing the aliases above.
    projects: workspaces.map((dir) => ({
      extends: true,
      test: {
        name: dir.split("/").pop(),
        include: [`${dir}/**/*.test.ts`],
        exclude: ["**/node_modules/**", "**/dist/**"],
        ...(slowProjects[dir] ? { testTimeout: slowProjects[dir] } : {}),
      },
    })),
    // In-process tests take a few seconds; a shared CI machine can make that many times more.
    // Tests that spawn a process or a server set their own, larger timeouts.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Most of the suite's time is spent waiting on the processes and servers tests start (the
    // CLI, workers, PostgreSQL, Redis, Chromium), not in the test worker itself, so vitest's
    // default of one worker per core minus one (a single worker on a two-core machine) leaves
    // the machine idle: serial, the suite took 33.5 min in CI; three workers on two cores, 24.6 min.
    maxWorkers: Math.max(3, availableParallelism()),
  },
});
