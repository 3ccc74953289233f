/**
 * The supply-chain graph as LangGraph's API server (and so Studio) loads it; langgraph.json
 * names this export. Approvers sign decisions with the store's keys (`governor approve`).
 */
import { compileForServer } from "@governor/core";
import { supplyChainSample } from "./sample.js";

export const graph = await compileForServer(supplyChainSample);
