import { GovernorStore } from "@governor/core";
import { agentPrincipal } from "@governor/identity";
import { type AssertFact, type FactRecord, type MemoryApprovalRequest, MemoryStore } from "@governor/memory";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_TEST_MS, governorOnTempStore } from "./support/governor-bin.js";

// The real `governor` binary on a temp store: facts are seeded in this process through the
// store (on a clock set a month back, so both clocks have distinct, known times), then read,
// retracted and approved by separate `governor memory` processes. Needs the build.

const DAY = 86_400_000;
const router = agentPrincipal("router", ["memory:write:acme", "memory:users:acme", "memory:attest:*:100"]);
const director = { by: "ops-director", weight: 90 };
const planner = { by: "planner", weight: 40 };

let cli: ReturnType<typeof governorOnTempStore> | undefined;
afterEach(() => cli?.dispose());

function tempStore() {
  cli = governorOnTempStore({ GOVERNOR_OPERATOR: "ops:test" });
  return cli;
}

/** Opens the store the binary uses, with a memory on a settable clock, runs `seed`, closes it. */
async function seed<T>(
  dir: string,
  start: number,
  fn: (memory: MemoryStore, at: (t: number) => void) => Promise<T>,
) {
  const store = new GovernorStore(dir);
  let now = start;
  const memory = new MemoryStore(store.db, {
    audit: store.audit,
    tokenKeys: store.tokenKeys,
    now: () => new Date(now),
  });
  try {
    return await fn(memory, (t) => {
      now = t;
    });
  } finally {
    store.close();
  }
}

/** What the store holds now, read in this process (not through the CLI under test). */
function inStore<T>(dir: string, fn: (store: GovernorStore) => T): T {
  const store = new GovernorStore(dir);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

const carrier = (value: string, extra: Partial<AssertFact> = {}): AssertFact => ({
  scope: { tenant: "acme" },
  entity: "zone B",
  attribute: "carrier",
  value,
  kind: "mandate",
  authority: director,
  source: { type: "message", threadId: "t1" },
  ...extra,
});

const iso = (t: number) => new Date(t).toISOString();

describe("governor memory", () => {
  it(
    "lists a partition's current facts, its history with both clocks, and what was true or known at a past time",
    async () => {
      const { dir, governor } = tempStore();
      const t0 = Date.now() - 30 * DAY;
      const t1 = t0 + 10 * DAY;
      await seed(dir, t0, async (memory, at) => {
        await memory.write({ principal: router }, [carrier("Carrier X", { validFrom: iso(t0 - 10 * DAY) })]);
        await memory.write({ principal: router }, [
          carrier("French", {
            scope: { tenant: "acme", user: "42" },
            entity: "customer 42",
            attribute: "language",
          }),
        ]);
        at(t1);
        await memory.write({ principal: router }, [carrier("Carrier Y")]);
      });
      // Another tenant's fact, written by its own principal: acme's listing must not show it.
      await seed(dir, t1, (memory) =>
        memory.write({ principal: agentPrincipal("g", ["memory:write:globex", "memory:attest:*:100"]) }, [
          carrier("Globex Freight", { scope: { tenant: "globex" } }),
        ]),
      );

      const list = governor("memory", "list", "--tenant", "acme");
      expect(list.code).toBe(0);
      expect(list.out).toContain('zone B / carrier = "Carrier Y"');
      expect(list.out).toContain("mandate · ops-director (weight 90)");
      expect(list.out).not.toContain("Carrier X");
      expect(list.out).not.toContain("French"); // the user's partition is its own
      expect(list.out).not.toContain("Globex");
      for (const line of list.out.split("\n")) expect(line.length).toBeLessThanOrEqual(80);

      const all = JSON.parse(
        governor("memory", "list", "--tenant", "acme", "--all", "--json").out,
      ) as FactRecord[];
      expect(all.map((f) => [f.value, f.status])).toEqual([
        ["Carrier X", "superseded"],
        ["Carrier Y", "active"],
      ]);
      const [x, y] = all as [FactRecord, FactRecord];
      expect(x).toMatchObject({
        recordedAt: iso(t0),
        supersededAt: iso(t1),
        supersededBy: y.id,
        validTo: iso(t1),
      });

      const user = JSON.parse(governor("memory", "list", "--tenant", "acme", "--user", "42", "--json").out);
      expect(user.map((f: FactRecord) => f.value)).toEqual(["French"]);

      const history = governor(
        "memory",
        "history",
        "--tenant",
        "acme",
        "--entity",
        "zone B",
        "--attribute",
        "carrier",
      );
      expect(history.code).toBe(0);
      expect(history.out).toContain(`1. zone B / carrier = "Carrier X"  [superseded]`);
      expect(history.out).toContain(`world   ${iso(t0 - 10 * DAY)} → ${iso(t1)}`);
      expect(history.out).toContain(`system  ${iso(t0)} → ${iso(t1)}`);
      expect(history.out).toContain(`superseded by ${y.id}`);
      expect(history.out).toContain(`2. zone B / carrier = "Carrier Y"  [active]`);

      // World time: before Y held, X was the rule (as known now).
      const wasTrue = JSON.parse(
        governor("memory", "as-of", "--tenant", "acme", "--valid-at", iso(t0 + DAY), "--json").out,
      );
      expect(wasTrue.facts.map((f: FactRecord) => f.value)).toEqual(["Carrier X"]);
      // System time: asked about today's rule as known on t0 + 1 day, the answer is what was believed then.
      const wasKnown = governor(
        "memory",
        "as-of",
        "--tenant",
        "acme",
        "--valid-at",
        iso(t1 + DAY),
        "--known-at",
        iso(t0 + DAY),
      );
      expect(wasKnown.code).toBe(0);
      expect(wasKnown.out).toContain('zone B / carrier = "Carrier X"');
      expect(wasKnown.out).not.toContain("Carrier Y");
    },
    2 * CLI_TEST_MS,
  );

  it(
    "refuses bad input with the error's code and a non-zero exit, reading nothing",
    async () => {
      const { dir, governor } = tempStore();
      const t0 = Date.now() - 10 * DAY;
      await seed(dir, t0, (memory) => memory.write({ principal: router }, [carrier("Carrier X")]));

      const noTenant = governor("memory", "list");
      expect(noTenant.code).toBe(1);
      expect(noTenant.err).toContain("error [MEMORY_FACT_INVALID]: a memory partition needs --tenant ID");

      const future = governor("memory", "as-of", "--tenant", "acme", "--known-at", iso(Date.now() + 2 * DAY));
      expect(future.code).toBe(1);
      expect(future.err).toMatch(/error \[MEMORY_AS_OF_INVALID\]: asOf\.knownAt .* is in the future/);

      const before = governor("memory", "as-of", "--tenant", "acme", "--valid-at", iso(t0 - DAY));
      expect(before.code).toBe(1);
      expect(before.err).toContain("[MEMORY_AS_OF_INVALID]");
      expect(before.err).toContain("before any fact of tenant acme was true");

      const malformed = governor("memory", "as-of", "--tenant", "acme", "--known-at", "yesterday");
      expect(malformed.code).toBe(1);
      expect(malformed.err).toContain('[MEMORY_AS_OF_INVALID]: asOf.knownAt "yesterday" is not an ISO date');

      const empty = governor("memory", "as-of", "--tenant", "nobody", "--known-at", iso(t0));
      expect(empty.code).toBe(1);
      expect(empty.err).toContain("nothing was ever recorded in tenant nobody");

      const weight = governor(
        "memory",
        "forget",
        "--tenant",
        "acme",
        "--entity",
        "zone B",
        "--attribute",
        "carrier",
        "--reason",
        "r",
        "--by",
        "me",
        "--weight",
        "500",
      );
      expect(weight.code).toBe(1);
      expect(weight.err).toContain('--weight must be a whole number from 0 to 100, got "500"');

      const noReason = governor(
        "memory",
        "forget",
        "--tenant",
        "acme",
        "--entity",
        "zone B",
        "--attribute",
        "carrier",
      );
      expect(noReason.code).toBe(1);
      expect(noReason.err).toContain("forget needs --reason, --by");

      const unknown = governor("memory", "approve", "--request", "memapr_nope", "--workflow", "claims");
      expect(unknown.code).toBe(1);
      expect(unknown.err).toContain("[APPROVAL_INVALID]: no memory write waits for request memapr_nope");

      // Nothing of it touched the fact.
      const facts = inStore(dir, (store) => store.memory.history(router, { tenant: "acme" }));
      expect(facts.map((f) => [f.value, f.status])).toEqual([["Carrier X", "active"]]);
    },
    2 * CLI_TEST_MS,
  );

  it(
    "forgets as an audited retraction, holds a weaker one for a signed approval used once, and drops a rejected one",
    async () => {
      const { dir, governor } = tempStore();
      await seed(dir, Date.now() - DAY, (memory) =>
        memory.write({ principal: router }, [
          carrier("Carrier X"),
          carrier("Tuesday", { attribute: "pickup day", authority: planner }),
        ]),
      );
      const forget = (attribute: string, by: string, weight: string, reason: string) =>
        governor(
          "memory",
          "forget",
          "--tenant",
          "acme",
          "--entity",
          "zone B",
          "--attribute",
          attribute,
          "--by",
          by,
          "--weight",
          weight,
          "--reason",
          reason,
        );

      // As strong as the fact: retracted at once, the record kept as deleted, the reason audited.
      const applied = forget("pickup day", "ops-lead", "40", "depot closed on Tuesdays");
      expect(applied.code).toBe(0);
      expect(applied.out).toContain("✓ DELETE zone B / pickup day");
      expect(applied.out).toContain("retracted by ops-lead: depot closed on Tuesdays");

      // Weaker than the mandate: nothing changes until an approver decides.
      const held = forget("carrier", "ops-lead", "10", "contract ended");
      expect(held.code).toBe(0);
      expect(held.out).toContain("⏸ DELETE of zone B / carrier waits for approval");
      const pending = JSON.parse(governor("memory", "pending", "--json").out) as MemoryApprovalRequest[];
      expect(pending).toHaveLength(1);
      const [request] = pending as [MemoryApprovalRequest];
      expect(held.out).toContain(`request ${request.requestId}`);
      expect(request).toMatchObject({
        operation: "DELETE",
        proposedBy: "ops-lead",
        outranks: "ops-director",
      });
      expect(request.summary).toContain("why: contract ended");

      const nobodyNamed = governor(
        "memory",
        "approve",
        "--request",
        request.requestId,
        "--approver",
        "manager:rosa",
      );
      expect(nobodyNamed.code).toBe(1);
      expect(nobodyNamed.err).toContain("was proposed outside any run");
      const stranger = governor(
        "memory",
        "approve",
        "--request",
        request.requestId,
        "--workflow",
        "claims",
        "--approver",
        "mallory",
      );
      expect(stranger.code).toBe(1);
      expect(stranger.err).toContain("mallory may not decide memory request");
      expect(stranger.err).toContain("manager:rosa");

      const approve = () =>
        governor(
          "memory",
          "approve",
          "--request",
          request.requestId,
          "--workflow",
          "claims",
          "--approver",
          "manager:rosa",
          "--reason",
          "confirmed with legal",
        );
      const approved = approve();
      expect(approved.code).toBe(0);
      expect(approved.out).toContain("✓ DELETE zone B / carrier");
      const again = approve();
      expect(again.code).toBe(1);
      expect(again.err).toContain(
        `memory request ${request.requestId} was already decided (approved by manager:rosa`,
      );

      const { records, audit } = inStore(dir, (store) => ({
        records: store.memory.history(router, { tenant: "acme" }),
        audit: store.audit.list().filter((record) => record.kind === "memory"),
      }));
      // Not a hard delete: both records are still there, closed; the second approve changed nothing.
      expect(records.map((f) => [f.value, f.status])).toEqual([
        ["Carrier X", "deleted"],
        ["Tuesday", "deleted"],
      ]);
      expect(audit.map((record) => [record.principal, record.outcome])).toEqual([
        ["agent:router", "written"],
        ["ops:test", "written"],
        ["ops:test", "require-approval"],
        ["ops:test", "approved"],
      ]);
      expect(JSON.stringify(audit[1]?.data)).toContain("depot closed on Tuesdays");
      expect(audit[3]?.data).toMatchObject({ approval: { approver: "manager:rosa", decision: "approve" } });

      // A rejection leaves the fact standing, and exits 0: the decision was taken.
      await seed(dir, Date.now(), (memory) => memory.write({ principal: router }, [carrier("Carrier Y")]));
      expect(forget("carrier", "intern", "5", "looks old").code).toBe(0);
      const [second] = JSON.parse(governor("memory", "pending", "--tenant", "acme", "--json").out);
      const rejected = governor(
        "memory",
        "reject",
        "--request",
        second.requestId,
        "--workflow",
        "claims",
        "--approver",
        "manager:rosa",
        "--reason",
        "still in force",
      );
      expect(rejected.code).toBe(0);
      expect(rejected.out).toContain("✗ DELETE of zone B / carrier rejected, nothing written");
      expect(rejected.out).toContain("rejected by manager:rosa: still in force");
      const current = inStore(dir, (store) => store.memory.current(router, { tenant: "acme" }));
      expect(current.map((f) => f.value)).toEqual(["Carrier Y"]);
    },
    3 * CLI_TEST_MS,
  );

  it(
    "decides a run's memory write with that run's workflow's approvers only, and refuses a stale one",
    async () => {
      const { dir, governor } = tempStore();
      const threadId = "run-with-memory";
      const requests = await seed(dir, Date.now() - DAY, async (memory) => {
        await memory.write({ principal: router }, [
          carrier("Carrier X"),
          carrier("Tuesday", { attribute: "pickup day" }),
        ]);
        const [fromRun] = await memory.write({ principal: router, threadId, node: "remember" }, [
          carrier("Carrier Z", { authority: planner }),
        ]);
        const [outsideRun] = await memory.write({ principal: router }, [
          carrier("Thursday", { attribute: "pickup day", authority: planner }),
        ]);
        return { fromRun: fromRun?.approval, outsideRun: outsideRun?.approval };
      });
      inStore(dir, (store) =>
        store.runs.create({ threadId, workflow: "claims", source: "sample:claims", principal: router }),
      );
      if (!requests.fromRun) throw new Error("the run's write did not wait for approval");
      expect(JSON.parse(governor("status", "--json").out).memory).toEqual({ pendingApprovals: 2 });

      // Another workflow's approvers may not stand in for the run's own.
      const swapped = governor(
        "memory",
        "approve",
        "--request",
        requests.fromRun.requestId,
        "--workflow",
        "mailbox",
        "--approver",
        "mailops:lee",
      );
      expect(swapped.code).toBe(1);
      expect(swapped.err).toContain(
        `proposed by run ${threadId} (claims): its workflow's approvers decide it`,
      );

      // The key changes under the proposal: approving it now would overwrite the newer fact.
      await seed(dir, Date.now(), (memory) => memory.write({ principal: router }, [carrier("Carrier W")]));
      const stale = governor(
        "memory",
        "approve",
        "--request",
        requests.fromRun.requestId,
        "--approver",
        "manager:rosa",
      );
      expect(stale.code).toBe(1);
      expect(stale.err).toContain("[MEMORY_PROPOSAL_STALE]");
      const current = inStore(dir, (store) => store.memory.current(router, { tenant: "acme" }));
      expect(current.map((f) => f.value)).toEqual(["Carrier W", "Tuesday"]);
      // The stale request is gone from the queue; the other one still waits.
      const left = JSON.parse(governor("memory", "pending", "--json").out) as MemoryApprovalRequest[];
      expect(left.map((request) => request.requestId)).toEqual([requests.outsideRun?.requestId]);
    },
    2 * CLI_TEST_MS,
  );

  it(
    "prints stored values with their control characters escaped, never raw to the terminal",
    async () => {
      const { dir, governor } = tempStore();
      const hostile = "Carrier X\u001b]0;pwned\u0007\u001b[2J";
      await seed(dir, Date.now() - DAY, async (memory) => {
        await memory.write({ principal: router }, [carrier(hostile)]);
        await memory.write({ principal: router }, [carrier(`${hostile} v2`, { authority: planner })]);
      });
      const list = governor("memory", "list", "--tenant", "acme");
      const pending = governor("memory", "pending");
      for (const output of [list.out, pending.out]) {
        expect(output).not.toContain("\u001b");
        expect(output).not.toContain("\u0007");
      }
      expect(list.out).toContain("Carrier X\\u001b]0;pwned\\u0007\\u001b[2J");
      expect(pending.out).toContain("\\u001b[2J v2");
    },
    CLI_TEST_MS,
  );
});
