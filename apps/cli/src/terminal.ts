import { styleText } from "node:util";

/** Where the CLI writes, so tests can capture it and colors can follow the terminal. */
export interface Terminal {
  out(line?: string): void;
  err(line?: string): void;
  /** A person can answer prompts (a TTY, not CI). */
  readonly interactive: boolean;
  readonly color: boolean;
}

export function processTerminal(): Terminal {
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  return {
    out: (line = "") => process.stdout.write(`${line}\n`),
    err: (line = "") => process.stderr.write(`${line}\n`),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI,
    color,
  };
}

type Style = Parameters<typeof styleText>[0];

/** Styles text for a color terminal and leaves it plain for pipes, files and NO_COLOR. */
export function paint(terminal: Terminal, style: Style, text: string): string {
  return terminal.color ? styleText(style, text) : text;
}
