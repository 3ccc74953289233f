/**
 * The mailbox graph as LangGraph's API server (and so Studio) loads it: compiled without a
 * checkpointer, since the server brings its own, with Governor's journals in GOVERNOR_DIR.
 */
import { compile, GovernorStore } from "@governor/core";
import { resolveChatModel } from "@governor/models";
import { mailboxSample } from "./sample.js";

const store = new GovernorStore();
const { model } = await resolveChatModel({ scenario: mailboxSample.scenario });

// Approvers sign decisions with the store's keys (`governor approve`, or signApprovalDecision
// with GOVERNOR_TOKEN_SECRET); the server verifies them and remembers each one used.
export const graph = compile(mailboxSample.workflow, {
  model,
  audit: store.audit,
  effects: store.effects,
  tokenKeys: store.tokenKeys,
  approvalUses: store.approvalUses,
});
