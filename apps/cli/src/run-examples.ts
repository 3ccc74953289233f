// No imports: the program imports this at start-up, for every command.

/** Examples `governor run --help` ends with: what a newcomer types first. */
export const RUN_EXAMPLES = `
Examples:
  governor run refund                                   play every case of the refund sample
  governor run refund --case large-refund               one case (governor samples lists them)
  governor run refund --help                            the fields --input takes for refund
  governor run ./src/workflow.ts --input '{"request":"Refund order A-1"}'
  governor run ./src/workflow.ts --input @input.json    the input from a file
  cat input.json | governor run ./src/workflow.ts --input -    from stdin
  governor run ./src/workflow.ts --no-interactive       leave approvals for governor approve`;
