import { GovernorError } from "@governor/errors";

/**
 * The one form in which Governor compares an id that selects whom a control applies to: a
 * kill switch's agent, a revoked delegation's id. Unicode NFKC, trimmed, lower case.
 *
 * Why only those: where an id *selects* a target of a stop, a near-miss spelling
 * ("Support" for "support") would make the control silently stop nothing, which fails open;
 * both sides are therefore canonicalized. Where an id *grants* something (a principal
 * claiming an agent, an approver named in a decision) comparison stays exact, so a
 * near-miss refuses, which fails closed.
 *
 * @throws {GovernorError} CONFIG_INVALID when nothing is left once trimmed.
 */
export function canonicalId(id: string, what: string): string {
  const canonical = id.normalize("NFKC").trim().toLowerCase();
  if (!canonical) throw new GovernorError("CONFIG_INVALID", `The ${what} is empty`, { id });
  return canonical;
}
