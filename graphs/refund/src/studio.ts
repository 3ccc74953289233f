/**
 * The refund graph as LangGraph's API server (and so Studio) loads it; langgraph.json names this
 * export. Approvers sign decisions with the store's keys (`governor approve`, or
 * signApprovalDecision with GOVERNOR_TOKEN_SECRET); the server verifies them.
 */
import { compileForServer } from "@governor/core";
import { refundSample } from "./sample.js";

export const graph = await compileForServer(refundSample);
