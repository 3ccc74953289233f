/**
 * The carrier-routing graph as LangGraph's API server (and so Studio) loads it; langgraph.json
 * names this export. Compiled on the store in GOVERNOR_DIR (journals, approver keys, memory),
 * without a checkpointer (the server brings its own), with a real model when OPENAI_API_KEY is
 * set. Over the API a run can be started at any node with any state: the booking gate reads the
 * mandate from the store's memory it is compiled with (its facts' `env.memory`), not from the thread.
 */
import { compile, GovernorStore } from "@governor/core";
import { resolveChatModel } from "@governor/models";
import { createCarrierRoutingSample } from "./sample.js";

const store = new GovernorStore();
const sample = createCarrierRoutingSample();
const { model } = await resolveChatModel({ scenario: sample.scenario });

export const graph = compile(sample.workflow, { model, ...store.graphServices() });
