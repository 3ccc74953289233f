import type { AgentIdentity } from "@governor/core";
import { defineIdentity } from "@governor/identity";

/**
 * The run's agent: everything the three agents together may do. Each agent node acts as its
 * own identity below, holding only its part (and, in a delegated run, only what the user
 * also holds).
 */
export const supplyChainAgent: AgentIdentity = {
  id: "supply-chain",
  scopes: ["inventory:read", "shipments:read", "vendors:draft", "erp:write"],
  roles: ["supply-analyst", "vendor-specialist", "erp-operator"],
};

/** Flags bottlenecks: reads stock and shipments, writes nothing. */
export const diagnosticAgent: AgentIdentity = {
  id: "diagnostic",
  scopes: ["inventory:read", "shipments:read"],
  roles: ["supply-analyst"],
};

/** Drafts vendor responses. It holds no erp:write: it can never change the ERP itself. */
export const specialistAgent: AgentIdentity = {
  id: "specialist",
  scopes: ["vendors:draft", "inventory:read"],
  roles: ["vendor-specialist"],
};

/** The only agent that changes the ERP. */
export const executorAgent: AgentIdentity = {
  id: "executor",
  scopes: ["erp:write", "inventory:read"],
  roles: ["erp-operator"],
};

/**
 * Who answers the supply chain's approval requests: a supply-chain manager holds
 * `approvals:erp`; a buyer does not. Only finance may grant a run more model budget.
 */
export const supplyChainApprovers = defineIdentity({
  roles: {
    "supply-manager": ["approvals:erp"],
    buyer: ["vendors:draft"],
    "budget-holder": ["budgets:extend"],
    "supply-analyst": ["inventory:read", "shipments:read"],
    "vendor-specialist": ["vendors:draft", "inventory:read"],
    "erp-operator": ["erp:write", "inventory:read"],
  },
  agents: { "supply-chain": { roles: ["supply-analyst", "vendor-specialist", "erp-operator"] } },
  approvers: {
    "manager:ines": { roles: ["supply-manager"] },
    "buyer:tom": { roles: ["buyer"] },
    "finance:kim": { roles: ["budget-holder"] },
  },
});
