export {
  APPROVAL_AUDIENCE,
  type ApprovalBinding,
  type ApprovalDecisionOptions,
  type ApprovalVerdict,
  DECISION_CLOCK_SKEW_SECONDS,
  MAX_DECISION_LIFETIME_SECONDS,
  peekApprovalRequestId,
  signApprovalDecision,
  type VerifiedApprovalDecision,
  type VerifyApprovalOptions,
  verifyApprovalDecision,
} from "./approval-decision.js";
export type { Approver, ApproverPredicate, ApproverRegistry } from "./approver.js";
export {
  APPROVER_TOKEN_AUDIENCE,
  type ApproverTokenOptions,
  MAX_APPROVER_TOKEN_LIFETIME_SECONDS,
  signApproverToken,
  type VerifiedApproverToken,
  verifyApproverToken,
} from "./approver-token.js";
export { type DelegatedOptions, defineIdentity, Identity } from "./define-identity.js";
export {
  DELEGATION_AUDIENCE,
  type DelegationClaims,
  type DelegationTokenOptions,
  delegationGrant,
  issueDelegationToken,
  type VerifyDelegationOptions,
  verifyDelegationToken,
} from "./delegation-token.js";
export { type IdentityConfig, identityConfigSchema } from "./identity-config.js";
export { keysFromEnv, TOKEN_ENV } from "./keys-from-env.js";
export type { DelegationGrant, Principal } from "./principal.js";
export { agentPrincipal, delegatedPrincipal, missingScopes } from "./principal.js";
export { TOKEN_ISSUER } from "./signed-token.js";
export type { TokenRefusal } from "./token-errors.js";
export {
  type Ed25519KeyInput,
  eddsaKeys,
  generateEd25519KeyPair,
  hs256Keys,
  MIN_SECRET_BYTES,
  type TokenAlgorithm,
  type TokenKeys,
} from "./token-keys.js";
