export { mailboxIdentity } from "./approvers.js";
export { type MailMessage, type MailServer, MailSystem, type MailSystemOptions } from "./mail-system.js";
export { mailboxPolicy } from "./policy.js";
export { createMailboxSample, mailboxSample } from "./sample.js";
export { mailboxScenario, PLAN_MARKER, REPLY_MARKER } from "./scenario.js";
export { disableMailServerTool } from "./tools.js";
export { createMailboxWorkflow, type MailboxWorkflowOptions, mailboxState } from "./workflow.js";
