import {
  GovernorError,
  type ResolvedNamedModels,
  resolveNamedModels,
  routingModelNames,
} from "@governor/core";
import { type ResolvedChatModel, resolveChatModel } from "@governor/models";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { Target } from "./load-target.js";

/**
 * The model a target runs with: a real endpoint when OPENAI_API_KEY is set, the target's
 * scenario script otherwise, none when no model or agent step needs a single model (every
 * one routes between named models, see `modelsFor`).
 *
 * @throws {GovernorError} CONFIG_INVALID when a model is needed and neither is available.
 */
export async function modelFor(target: Target): Promise<ResolvedChatModel | undefined> {
  const needsModel = Object.values(target.workflow.nodes).some(
    (node) => (node.kind === "model" || node.kind === "agent") && !node.models,
  );
  if (!needsModel) return undefined;
  if (!target.scenario && !process.env.OPENAI_API_KEY) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Workflow "${target.workflow.name}" has model steps: set OPENAI_API_KEY (and OPENAI_BASE_URL for a local server), or export a scenario script beside the workflow`,
    );
  }
  return resolveChatModel({ scenario: target.scenario ?? { name: "none", turns: [] } });
}

/**
 * The named models a target's routing rules choose from: the sample's scenario models
 * offline, models of the endpoint with OPENAI_API_KEY (`GOVERNOR_MODEL_<NAME>`); undefined
 * when no step routes and the sample names none.
 *
 * @throws {GovernorError} CONFIG_INVALID when a step routes to a name that has no scenario
 *   script offline.
 */
export async function modelsFor(target: Target): Promise<ResolvedNamedModels | undefined> {
  return resolveNamedModels(target.workflow, target.sample?.models);
}

/** What a run of a target is given: its single model and its named models, as the runtime takes them. */
export interface TargetModels {
  readonly model?: BaseChatModel;
  readonly models?: Readonly<Record<string, BaseChatModel>>;
}

/** Both of a target's models, for commands that only pass them on to the runtime. */
export async function targetModels(target: Target): Promise<TargetModels> {
  const [model, named] = await Promise.all([modelFor(target), modelsFor(target)]);
  return { model: model?.model, models: named?.models };
}

/**
 * Models for drawing a target's graph: compiling needs a model object for each model or agent
 * step, but drawing never calls one, so each is an empty offline script. No API key, no
 * scenario, never the network: `governor graph` of any workflow works offline.
 */
export async function drawingModels(target: Target): Promise<TargetModels> {
  const offline = {};
  const names = routingModelNames(target.workflow);
  const scripts = Object.fromEntries(names.map((name) => [name, { name, turns: [] }]));
  const [model, named] = await Promise.all([
    resolveChatModel({ scenario: { name: "drawing", turns: [] }, env: offline }),
    resolveNamedModels(target.workflow, names.length ? scripts : undefined, offline),
  ]);
  return { model: model.model, models: named?.models };
}
