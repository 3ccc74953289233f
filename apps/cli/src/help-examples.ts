/**
 * Examples printed under `--help`: what a newcomer types first, for the commands they meet
 * first. Kept apart from program.ts so the command table stays readable.
 */
export const HELP_EXAMPLES = {
  program: `
Examples:
  $ governor samples                                   list the samples and their cases
  $ governor run refund --case large-refund            run one case (offline, scripted model)
  $ governor pending                                   what waits for a human
  $ governor approve <thread> --approver supervisor:sam --reason "receipt checked"
  $ governor runs                                      recent runs; governor runs show <thread> for one
  $ governor audit show <thread>                       a run's decisions, who made them and why
  $ governor kill --reason "refund spree"              stop every run now (governor unkill to release)`,
  decide: `
Examples:
  $ governor pending                                   find the thread and, when several wait, the request id
  $ governor approve <thread> --approver supervisor:sam --reason "receipt checked"
  $ governor reject <thread> --approver supervisor:sam --reason "no proof of purchase"
  $ governor approve <thread> --all --approver supervisor:sam`,
  budget: `
Examples:
  $ governor budget <thread> --extend-tokens 5000 --approver finance:kim --reason "long history"
  $ governor budget <thread> --extend-cost 0.50 --approver finance:kim
  $ governor budget <thread> --stop --reason "over quota"`,
  pending: `
Examples:
  $ governor pending
  $ governor pending --json                            approvals and budget requests, each with its kind
  $ governor pending <thread> --reveal --approver supervisor:sam`,
  kill: `
Examples:
  $ governor kill --reason "incident 7"                every run stops at its next step
  $ governor kill --agent support --reason "refund spree"
  $ governor status                                    what is engaged`,
  auditShow: `
Examples:
  $ governor audit show <thread>
  $ governor audit show <thread> --json`,
} as const;
