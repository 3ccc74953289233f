/**
 * The carrier-routing graph as LangGraph's API server (and so Studio) loads it; langgraph.json
 * names this export. Facts live in the store in GOVERNOR_DIR, shared with the CLI.
 */
import { compileForServer } from "@governor/core";
import { carrierRoutingSample } from "./sample.js";

export const graph = await compileForServer(carrierRoutingSample);
