/**
 * The receivables graph as LangGraph's API server (and so Studio) loads it; langgraph.json
 * names this export. Studio draws the agent loop with its checks, gate, tools and approval nodes.
 */
import { compileForServer } from "@governor/core";
import { receivablesSample } from "./sample.js";

export const graph = await compileForServer(receivablesSample);
