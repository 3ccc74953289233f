export type { Principal } from "./principal.js";
export { agentPrincipal, delegatedPrincipal, missingScopes } from "./principal.js";
