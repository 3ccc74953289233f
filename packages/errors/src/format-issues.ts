/** A zod issue, as far as messages need it. */
export interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** `amount: Too big; reason: Required` — zod issues as one line, each led by its path. */
export function formatIssues(issues: readonly IssueLike[], root = "(value)"): string {
  return issues.map((issue) => `${issue.path.map(String).join(".") || root}: ${issue.message}`).join("; ");
}
