import { GovernorError } from "@governor/errors";
import { resolveChatModel, type ScenarioScript } from "@governor/models";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { Workflow } from "../workflow/define-workflow.js";

/** The named models a run routes between, and where they come from (for the CLI to print). */
export interface ResolvedNamedModels {
  readonly models: Readonly<Record<string, BaseChatModel>>;
  readonly kind: "scenario" | "openai";
  /** Each routing name with the model it stands for, e.g. `fast=gpt-4o-mini`. */
  readonly names: readonly string[];
}

/** The model names the workflow's routing rules use (defaults and rules), in first-use order. */
export function routingModelNames(workflow: Pick<Workflow, "nodes">): string[] {
  const names = new Set<string>();
  for (const node of Object.values(workflow.nodes)) {
    if ((node.kind !== "model" && node.kind !== "agent") || !node.models) continue;
    names.add(node.models.default);
    for (const rule of node.models.rules ?? []) names.add(rule.use);
  }
  return [...names];
}

/** The environment variable naming the real model for a routing name: `fast` → GOVERNOR_MODEL_FAST. */
export function namedModelEnv(name: string): string {
  return `GOVERNOR_MODEL_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/**
 * The models a workflow's routing rules choose from. With `OPENAI_API_KEY` set, each name is
 * a model of that endpoint (`GOVERNOR_MODEL_<NAME>`, else `GOVERNOR_MODEL`); otherwise each
 * plays its offline scenario script. Undefined when no step routes and no script is given.
 *
 * @throws {GovernorError} CONFIG_INVALID when a step routes to a name with neither a script
 *   nor an endpoint to stand for it.
 * @example
 * const named = await resolveNamedModels(sample.workflow, sample.models);
 * compile(sample.workflow, { models: named?.models, ... });
 */
export async function resolveNamedModels(
  workflow: Pick<Workflow, "name" | "nodes">,
  scripts: Readonly<Record<string, ScenarioScript>> | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ResolvedNamedModels | undefined> {
  const names = [...new Set([...routingModelNames(workflow), ...Object.keys(scripts ?? {})])];
  if (!names.length) return undefined;
  const online = Boolean(env.OPENAI_API_KEY);
  const missing = online ? [] : names.filter((name) => !scripts || !Object.hasOwn(scripts, name));
  if (missing.length) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Workflow "${workflow.name}" routes between models ${names.join(", ")}, but ${missing.join(", ")} has no scenario script: give the sample models: { name: script } for offline runs, or set OPENAI_API_KEY (and ${missing.map(namedModelEnv).join(", ")})`,
      { workflow: workflow.name, missing },
    );
  }
  const models: Record<string, BaseChatModel> = {};
  const described: string[] = [];
  for (const name of names) {
    const script = scripts && Object.hasOwn(scripts, name) ? scripts[name] : undefined;
    const resolved = await resolveChatModel({
      scenario: script ?? { name, turns: [] },
      env: { ...env, GOVERNOR_MODEL: env[namedModelEnv(name)] ?? env.GOVERNOR_MODEL },
    });
    // defineProperty: a name such as "__proto__" stays an own entry, never the prototype.
    Object.defineProperty(models, name, {
      value: resolved.model,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    described.push(`${name}=${resolved.name}`);
  }
  return { models, kind: online ? "openai" : "scenario", names: described };
}
