import { policySetTextToParts, policyToJson, validate } from "@cedar-policy/cedar-wasm/nodejs";
import {
  cedarLoadFailed,
  cedarMessage,
  firstOffset,
  loadFailed,
  positionAt,
  type SourcePosition,
  where,
} from "./cedar-diagnostics.js";
import type { CedarSource } from "./cedar-files.js";
import type { PolicyEvaluation } from "./decision.js";

/** One policy as the engine reports it: its stable id, why it exists, and where it was written. */
export interface CedarPolicyInfo {
  readonly id: string;
  readonly effect: "permit" | "forbid";
  /** From `@reason("...")`; the id when the policy gives none. */
  readonly reason: string;
  /** `@approval` / `@approval("required")`: a satisfied permit of this kind asks a human. */
  readonly approval: boolean;
  readonly file: string;
  readonly position?: SourcePosition;
}

/** A policy's effect in Governor's terms: a Cedar permit with `@approval` reads as `require-approval`. */
export function governorEffect(info: CedarPolicyInfo): PolicyEvaluation["effect"] {
  return info.effect === "forbid" ? "forbid" : info.approval ? "require-approval" : "permit";
}

export interface LoadedPolicySet {
  /** Policy text by id, as Cedar's `staticPolicies` takes it. */
  readonly texts: Readonly<Record<string, string>>;
  readonly policies: ReadonlyMap<string, CedarPolicyInfo>;
  /** Cedar validator warnings (e.g. an impossible policy): loading goes on, but they are worth reading. */
  readonly warnings: readonly string[];
}

interface Located {
  readonly info: CedarPolicyInfo;
  readonly text: string;
  /** Byte offset of the policy's text in its file, to place validator errors on file lines. */
  readonly byteOffset?: number;
}

/**
 * Parses every policy file, names each policy by its `@id` annotation, and validates the
 * whole set against the schema. Any problem fails the load, naming the file and line: a
 * policy set that half-loaded would decide differently from the one its author wrote.
 */
export function loadPolicySet(files: readonly CedarSource[], schema: CedarSource): LoadedPolicySet {
  const located = new Map<string, Located>();
  for (const file of files) {
    for (const policy of splitFile(file)) {
      const earlier = located.get(policy.info.id);
      if (earlier)
        throw loadFailed(
          file.name,
          `policy id "${policy.info.id}" is already used at ${where(earlier.info.file, earlier.info.position)}`,
          { position: policy.info.position, policyId: policy.info.id },
        );
      located.set(policy.info.id, policy);
    }
  }
  const texts = Object.fromEntries([...located].map(([id, policy]) => [id, policy.text]));
  const answer = validate({
    validationSettings: { mode: "strict" },
    schema: schema.text,
    policies: { staticPolicies: texts },
  });
  if (answer.type === "failure") throw cedarLoadFailed(schema.name, schema.text, answer.errors);
  const locate = (policyId: string, offset: number | undefined) => {
    const policy = located.get(policyId);
    if (!policy) return { file: schema.name };
    const file = files.find((source) => source.name === policy.info.file);
    return {
      file: policy.info.file,
      position:
        offset === undefined || policy.byteOffset === undefined || !file
          ? policy.info.position
          : positionAt(file.text, policy.byteOffset + offset),
    };
  };
  const [invalid] = answer.validationErrors;
  if (invalid) {
    const { file, position } = locate(invalid.policyId, firstOffset(invalid.error));
    const more =
      answer.validationErrors.length > 1 ? ` (and ${answer.validationErrors.length - 1} more)` : "";
    throw loadFailed(
      file,
      `does not validate against ${schema.name}: ${cedarMessage(invalid.error)}${more}`,
      {
        position,
        policyId: invalid.policyId,
        cedarErrors: answer.validationErrors.map((error) => error.error),
      },
    );
  }
  const warnings = answer.validationWarnings.map((warning) => {
    const { file, position } = locate(warning.policyId, firstOffset(warning.error));
    return `${where(file, position)}: ${cedarMessage(warning.error)}`;
  });
  return { texts, policies: new Map([...located].map(([id, policy]) => [id, policy.info])), warnings };
}

/** Splits one file into its policies, reading each one's annotations. */
function splitFile(file: CedarSource): Located[] {
  const parts = policySetTextToParts(file.text);
  if (parts.type === "failure") throw cedarLoadFailed(file.name, file.text, parts.errors, "syntax error: ");
  if (parts.policy_templates.length)
    throw loadFailed(file.name, "policy templates (with ?principal or ?resource slots) are not supported", {
      position: positionOf(file, parts.policy_templates[0] as string, new Set()).position,
    });
  const used = new Set<number>();
  return parts.policies.map((text) => {
    // Cedar hands the policies back as verbatim slices of the file: finding each one gives its line.
    const { byteOffset, position } = positionOf(file, text, used);
    const json = policyToJson(text);
    if (json.type === "failure") throw cedarLoadFailed(file.name, file.text, json.errors);
    const annotations: Record<string, string | null> = json.json.annotations ?? {};
    const id = annotations.id;
    if (!id)
      throw loadFailed(
        file.name,
        'every policy needs an @id("...") annotation, so decisions name it stably',
        {
          position,
        },
      );
    const approval = annotations.approval;
    const effect = json.json.effect;
    if (approval !== undefined && approval !== null && approval !== "" && approval !== "required")
      throw loadFailed(file.name, `@approval takes no value or "required", not "${approval}"`, {
        position,
        policyId: id,
      });
    if (approval !== undefined && effect !== "permit")
      throw loadFailed(file.name, "@approval belongs on a permit: a forbid already denies", {
        position,
        policyId: id,
      });
    const info: CedarPolicyInfo = {
      id,
      effect,
      reason: annotations.reason || id,
      approval: approval !== undefined,
      file: file.name,
      position,
    };
    return { info, text, byteOffset };
  });
}

function positionOf(file: CedarSource, text: string, used: Set<number>) {
  let index = file.text.indexOf(text);
  while (index >= 0 && used.has(index)) index = file.text.indexOf(text, index + 1);
  if (index < 0) return { byteOffset: undefined, position: undefined };
  used.add(index);
  const byteOffset = Buffer.byteLength(file.text.slice(0, index));
  return { byteOffset, position: positionAt(file.text, byteOffset) };
}
