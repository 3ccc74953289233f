/**
 * The refund graph as LangGraph's API server (and so Studio) loads it; langgraph.json names this
 * export. Its runs are Governor runs in the server's store (GOVERNOR_DIR or DATABASE_URL):
 * `governor pending` lists a Studio run waiting for approval and `governor approve <thread>`
 * answers it. Approvers sign decisions with the store's keys (`governor approve`, or
 * signApprovalDecision with GOVERNOR_TOKEN_SECRET); the server verifies them.
 */
import { compileForServer } from "@governor/core";
import { refundSample } from "./sample.js";

export const graph = await compileForServer(refundSample);
