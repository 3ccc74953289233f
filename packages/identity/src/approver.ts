/** A person (or service) allowed to answer approval requests, with the scopes that say which. */
export interface Approver {
  readonly id: string;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
}

/** Where approvers are looked up by id; `defineIdentity()` returns one. */
export interface ApproverRegistry {
  /** The approver with this id, or `undefined` when there is none. */
  findApprover(id: string): Approver | undefined;
  /**
   * The approvers holding `scope` (all of them without one). Optional: when a registry can
   * list its approvers, `validate()` refuses an approval step nobody is entitled to answer.
   */
  approversWith?(scope?: string): readonly Approver[];
}

/**
 * An approver check in code, for approvers kept elsewhere (a directory, a database):
 * true when `approverId` may decide a request that needs `requiredScope`.
 */
export type ApproverPredicate = (approverId: string, requiredScope: string | undefined) => boolean;
