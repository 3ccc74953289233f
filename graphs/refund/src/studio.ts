/**
 * The refund graph as LangGraph's API server (and so Studio) loads it: compiled without a
 * checkpointer, since the server brings its own, with Governor's journals in GOVERNOR_DIR.
 */
import { compile, GovernorStore } from "@governor/core";
import { resolveChatModel } from "@governor/models";
import { refundSample } from "./sample.js";

const store = new GovernorStore();
const { model } = await resolveChatModel({ scenario: refundSample.scenario });

export const graph = compile(refundSample.workflow, { model, audit: store.audit, effects: store.effects });
