import { DEFAULT_MAX_ARGUMENT_BYTES, describeOversize, oversize } from "../control/payload-size.js";
import type { AnyTool } from "../tools/define-tool.js";

export interface ContractViolation {
  readonly path: string;
  readonly message: string;
}

export type ContractResult =
  | { readonly ok: true; readonly args: Record<string, unknown> }
  | { readonly ok: false; readonly violations: readonly ContractViolation[] };

/** Parses proposed arguments with the tool's zod contract; what the handler later receives is the parsed value. */
export function checkContract(tool: AnyTool, args: unknown): ContractResult {
  // Size first: the model is told which argument is too long, and nothing large is parsed.
  const tooLarge = oversize(args, tool.maxArgumentBytes ?? DEFAULT_MAX_ARGUMENT_BYTES);
  if (tooLarge) {
    return {
      ok: false,
      violations: [
        { path: tooLarge.field ?? "(arguments)", message: describeOversize("the arguments", tooLarge) },
      ],
    };
  }
  const parsed = tool.input.safeParse(args);
  if (parsed.success) return { ok: true, args: parsed.data as Record<string, unknown> };
  return {
    ok: false,
    violations: parsed.error.issues.map((issue) => ({
      path: issue.path.length ? issue.path.map(String).join(".") : "(arguments)",
      message: issue.message,
    })),
  };
}

/** The refusal as the model reads it in a tool error. */
export function describeViolations(tool: string, violations: readonly ContractViolation[]): string {
  return `Arguments for ${tool} were refused by its contract: ${violations.map((v) => `${v.path}: ${v.message}`).join("; ")}`;
}
