export { createProgram, EXIT, runCli } from "./program.js";
export { processTerminal, type Terminal } from "./terminal.js";
