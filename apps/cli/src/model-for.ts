import { GovernorError } from "@governor/core";
import { type ResolvedChatModel, resolveChatModel } from "@governor/models";
import type { Target } from "./load-target.js";

/**
 * The model a target runs with: a real endpoint when OPENAI_API_KEY is set, the target's
 * scenario script otherwise, none when the workflow has no model step.
 *
 * @throws {GovernorError} CONFIG_INVALID when a model is needed and neither is available.
 */
export async function modelFor(target: Target): Promise<ResolvedChatModel | undefined> {
  const needsModel = Object.values(target.workflow.nodes).some((node) => node.kind === "model");
  if (!needsModel) return undefined;
  if (!target.scenario && !process.env.OPENAI_API_KEY) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Workflow "${target.workflow.name}" has model steps: set OPENAI_API_KEY (and OPENAI_BASE_URL for a local server), or export a scenario script beside the workflow`,
    );
  }
  return resolveChatModel({ scenario: target.scenario ?? { name: "none", turns: [] } });
}
