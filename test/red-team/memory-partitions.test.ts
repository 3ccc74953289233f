import { agentPrincipal, delegatedPrincipal, type Principal } from "@governor/identity";
import { type FactScope, scopeKey } from "@governor/memory";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  approvers,
  assertion,
  decision,
  type MemoryFixture,
  memoryFixture,
  planner,
  rejected,
  router,
  thrown,
  writeAs,
} from "./support/memory-fixture.js";

/**
 * Partition isolation: acme's router, a user-delegated principal and two agents try to read,
 * write, list history and pending approvals of partitions that are not theirs, directly and by
 * spelling a scope that encodes to someone else's key. Every attempt is refused with
 * MEMORY_SCOPE_DENIED (or MEMORY_FACT_INVALID for a malformed scope) and a denial is audited;
 * the other partition's facts are never returned and never changed.
 */

let f: MemoryFixture;
const globexAdmin = agentPrincipal("globex-bot", ["memory:write:globex", "memory:attest:*:100"]);
const acmeUsers = agentPrincipal("concierge", [
  "memory:write:acme",
  "memory:users:acme",
  "memory:attest:*:100",
]);
const ann = delegatedPrincipal(agentPrincipal("concierge", ["memory:write:acme"]), "ann", [
  "memory:write:acme",
]);
const xAgent = agentPrincipal("agent-x", ["memory:write:acme"]);

beforeEach(() => {
  f = memoryFixture();
  writeAs(f, [assertion("Carrier G", { scope: { tenant: "globex" } })], globexAdmin);
  writeAs(
    f,
    [
      assertion("call after 5pm", {
        scope: { tenant: "acme", user: "bob" },
        entity: "bob",
        attribute: "contact",
      }),
    ],
    acmeUsers,
  );
  writeAs(
    f,
    [assertion("draft", { scope: { tenant: "acme", agent: "agent-y" }, entity: "notes", attribute: "plan" })],
    agentPrincipal("agent-y", ["memory:write:acme", "memory:attest:*:100"]),
  );
  f.tick();
});
afterEach(() => f.close());

/** Every way to touch a partition; each must be refused and leave a denial in the audit. */
function expectSealed(principal: Principal, scope: FactScope) {
  const before = f.rows().length;
  const denials = () => f.audit.list().filter((record) => record.outcome === "denied").length;
  const attempts: [string, () => unknown][] = [
    ["write", () => f.store.writeNow({ principal }, [assertion("stolen", { scope })])],
    [
      "retract",
      () =>
        f.store.writeNow({ principal }, [
          {
            op: "retract",
            scope,
            entity: "zone B",
            attribute: "carrier",
            authority: planner,
            source: { type: "manual" },
          },
        ]),
    ],
    ["current", () => f.store.current(principal, scope)],
    [
      "current by key",
      () => f.store.current(principal, scope, { keys: [{ entity: "zone B", attribute: "carrier" }] }),
    ],
    ["asOf", () => f.store.asOf(principal, scope, { knownAt: f.clock })],
    ["history", () => f.store.history(principal, scope)],
    ["pending", () => f.store.pending(principal, scope)],
  ];
  for (const [label, attempt] of attempts) {
    const count = denials();
    const error = thrown(attempt);
    expect(error.code, label).toBe("MEMORY_SCOPE_DENIED");
    expect(denials(), `${label} audited`).toBe(count + 1);
  }
  expect(f.rows()).toHaveLength(before);
}

describe("memory partitions: another tenant", () => {
  it("MI-1 acme's router cannot touch globex, by any operation", () => {
    expectSealed(router, { tenant: "globex" });
    expect(
      f
        .rows()
        .filter((row) => row.scope_key === "t=globex")
        .map((row) => row.value),
    ).toEqual(['"Carrier G"']);
  });

  it("MI-2 a mixed batch (acme and globex) is refused whole: the acme write is not applied either", () => {
    const error = thrown(() =>
      f.store.writeNow({ principal: router }, [
        assertion("Carrier A"),
        assertion("stolen", { scope: { tenant: "globex" } }),
      ]),
    );
    expect(error.code).toBe("MEMORY_SCOPE_DENIED");
    expect(f.rows().filter((row) => row.scope_key === "t=acme")).toEqual([]);
  });

  it("MI-3 search of another tenant is refused and audited", async () => {
    const error = await rejected(f.store.search(router, { tenant: "globex" }, "carrier"));
    expect(error.code).toBe("MEMORY_SCOPE_DENIED");
  });

  it("MI-4 pending() without a scope never lists another tenant's proposals", () => {
    // globex's proposal: a lower authority against globex's mandate.
    writeAs(f, [assertion("Carrier H", { scope: { tenant: "globex" }, authority: planner })], globexAdmin);
    expect(f.store.pending(globexAdmin)).toHaveLength(1);
    expect(f.store.pending(router)).toEqual([]);
    expect(f.store.pending(agentPrincipal("nobody", []))).toEqual([]);
  });

  it("MI-5 a decision token for globex's proposal cannot be redirected at acme's key", async () => {
    writeAs(f, [assertion("Carrier X")]);
    const [globexPending] = writeAs(
      f,
      [assertion("Carrier H", { scope: { tenant: "globex" }, authority: planner })],
      globexAdmin,
    );
    const token = await decision(f, globexPending?.approval);
    const applied = await f.store.decide(token, { approvers });
    expect(applied.scope).toEqual({ tenant: "globex" });
    expect(f.store.current(router, { tenant: "acme" }).map((fact) => fact.value)).toEqual(["Carrier X"]);
  });
});

describe("memory partitions: scope spellings that encode to another partition", () => {
  const injections: FactScope[] = [
    { tenant: "acme/u=bob" },
    { tenant: "acme%2Fu%3Dbob" },
    { tenant: "acme", thread: "x/u=bob" },
    { tenant: "acme", agent: "agent-x/u=bob" },
    { tenant: "acme", user: "ann/a=agent-y" },
    { tenant: "acme", user: "ann%2Fa%3Dagent-y" },
    { tenant: "acme\u0000" },
    { tenant: "t=acme" },
  ];

  it.each(injections.map((scope) => [JSON.stringify(scope), scope] as const))(
    "MI-6 %s never lands on another partition's key",
    (_label, scope) => {
      let key: string | undefined;
      try {
        key = scopeKey(scope);
        writeAs(f, [assertion("probe", { scope })], agentPrincipal("root", ["memory:admin"]));
      } catch (error) {
        expect(["MEMORY_FACT_INVALID", "MEMORY_SCOPE_DENIED"]).toContain((error as { code?: string }).code);
      }
      const taken = ["t=acme", "t=globex", "t=acme/u=bob", "t=acme/a=agent-y", "t=acme/u=ann"];
      if (key !== undefined) expect(taken).not.toContain(key);
      // bob's and agent-y's partitions hold only what they held.
      expect(f.rows().filter((row) => row.scope_key === "t=acme/u=bob")).toHaveLength(1);
      expect(f.rows().filter((row) => row.scope_key === "t=acme/a=agent-y")).toHaveLength(1);
    },
  );

  it("MI-7 acme's writer, spelling globex with extra whitespace or case, is refused or kept apart", () => {
    for (const tenant of [" globex", "globex ", "GLOBEX", "Globex"]) {
      let refused = false;
      try {
        writeAs(f, [assertion("stolen", { scope: { tenant } })]);
      } catch (error) {
        refused = true;
        expect((error as { code?: string }).code).toBe("MEMORY_SCOPE_DENIED");
      }
      expect(refused, tenant).toBe(true);
    }
    expect(f.rows().filter((row) => row.scope_key.toLowerCase().includes("globex"))).toHaveLength(1);
  });

  it("MI-8 empty, whitespace-only, overlong and control-character scope parts are malformed, nothing written", () => {
    const admin = agentPrincipal("root", ["memory:admin"]);
    const bad: FactScope[] = [
      { tenant: "" },
      { tenant: "   " },
      { tenant: "acme", user: "" },
      { tenant: "acme", agent: " \t " },
      { tenant: "x".repeat(201) },
      { tenant: "acme", thread: "a\nb" },
      { tenant: "acme", org: "other" } as FactScope,
      { tenant: 7 } as unknown as FactScope,
      {} as FactScope,
    ];
    for (const scope of bad) {
      expect(thrown(() => writeAs(f, [assertion("x", { scope })], admin)).code, JSON.stringify(scope)).toBe(
        "MEMORY_FACT_INVALID",
      );
      expect(thrown(() => f.store.current(admin, scope)).code).toBe("MEMORY_FACT_INVALID");
    }
    expect(f.rows()).toHaveLength(3);
  });

  it("MI-9 a tenant outside the configured tenants is refused for reads and writes", () => {
    const g = memoryFixture({ tenants: ["acme"] });
    try {
      const admin = agentPrincipal("root", ["memory:admin"]);
      expect(thrown(() => writeAs(g, [assertion("x", { scope: { tenant: "globex" } })], admin)).code).toBe(
        "MEMORY_FACT_INVALID",
      );
      expect(thrown(() => g.store.current(admin, { tenant: "globex" })).code).toBe("MEMORY_FACT_INVALID");
      expect(thrown(() => g.store.history(admin, { tenant: "globex" })).code).toBe("MEMORY_FACT_INVALID");
      expect(thrown(() => g.store.pending(admin, { tenant: "globex" })).code).toBe("MEMORY_FACT_INVALID");
      expect(g.rows()).toEqual([]);
    } finally {
      g.close();
    }
  });
});

describe("memory partitions: users and agents", () => {
  it("MI-10 a principal delegated by user ann cannot read or write user bob's memory", () => {
    expectSealed(ann, { tenant: "acme", user: "bob" });
  });

  it("MI-11 ann's delegation cannot reach bob through an agent+user partition either", () => {
    expectSealed(ann, { tenant: "acme", agent: "concierge", user: "bob" });
  });

  it("MI-12 agent X cannot read or write agent Y's partition", () => {
    expectSealed(xAgent, { tenant: "acme", agent: "agent-y" });
    expect(
      f
        .rows()
        .filter((row) => row.scope_key === "t=acme/a=agent-y")
        .map((row) => row.value),
    ).toEqual(['"draft"']);
  });

  it("MI-13 a read-only principal cannot write its own tenant", () => {
    const reader = agentPrincipal("reader", ["memory:read:acme"]);
    expect(thrown(() => writeAs(f, [assertion("x")], reader)).code).toBe("MEMORY_SCOPE_DENIED");
    expect(f.store.current(reader, { tenant: "acme" })).toEqual([]);
  });

  it("MI-14 a principal with scopes for a tenant prefix or suffix ('memory:write:acm', 'memory:write:acme2') gets nothing", () => {
    for (const scopes of [
      ["memory:write:acm"],
      ["memory:write:acme2"],
      ["memory:write:*"],
      ["memory:write:"],
      ["memory:*"],
    ]) {
      const p = agentPrincipal("prefix", scopes);
      expect(thrown(() => f.store.current(p, { tenant: "acme" })).code, scopes[0]).toBe(
        "MEMORY_SCOPE_DENIED",
      );
    }
  });

  it("MI-15 pending() of bob's partition by ann is refused, and the unscoped list hides bob's proposals", () => {
    writeAs(
      f,
      [
        assertion("never call", {
          scope: { tenant: "acme", user: "bob" },
          entity: "bob",
          attribute: "contact",
          authority: planner,
        }),
      ],
      acmeUsers,
    );
    expect(f.store.pending(acmeUsers)).toHaveLength(1);
    expect(f.store.pending(ann)).toEqual([]);
    expect(thrown(() => f.store.pending(ann, { tenant: "acme", user: "bob" })).code).toBe(
      "MEMORY_SCOPE_DENIED",
    );
  });
});

describe("memory partitions: forged principals", () => {
  const forged: [string, unknown][] = [
    ["no principal", undefined],
    ["null", null],
    ["an empty object", {}],
    ["scopes as one string", { id: "agent:x", kind: "agent", agentId: "x", scopes: "memory:admin" }],
    ["scopes nested in an array", { id: "agent:x", kind: "agent", agentId: "x", scopes: [["memory:admin"]] }],
    ["scopes as an object", { id: "agent:x", kind: "agent", agentId: "x", scopes: { "memory:admin": true } }],
    ["a string", "agent:root"],
  ];

  it.each(forged)(
    "MI-16 %s: refused as MEMORY_SCOPE_DENIED, nothing written or read",
    (_label, principal) => {
      const before = f.rows().length;
      const as = principal as Principal;
      expect(thrown(() => f.store.writeNow({ principal: as }, [assertion("stolen")])).code).toBe(
        "MEMORY_SCOPE_DENIED",
      );
      expect(thrown(() => f.store.current(as, { tenant: "acme" })).code).toBe("MEMORY_SCOPE_DENIED");
      expect(thrown(() => f.store.history(as, { tenant: "globex" })).code).toBe("MEMORY_SCOPE_DENIED");
      expect(f.store.pending(as)).toEqual([]);
      expect(f.rows()).toHaveLength(before);
    },
  );
});
