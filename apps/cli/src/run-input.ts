import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { GovernorError } from "@governor/core";

/** Where `--input` may come from: JSON text, `@file.json`, or `-` for standard input. */
export interface InputSource {
  /** Standard input, for `--input -`. */
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}

/**
 * Reads a run's input as the operator gave it to `--input`: a JSON object inline,
 * `@path/to/input.json`, or `-` to read standard input (for inputs too large for a command
 * line: a shell's argument limit is far below a 1 MB document). One pass over the text: the
 * file or stream is read in chunks and parsed once.
 *
 * @throws {GovernorError} INPUT_INVALID when the value is empty, the file is missing or not a
 *   file, stdin is a terminal, the text is not JSON, or the JSON is not an object.
 */
export async function readRunInput(value: string, source: InputSource): Promise<Record<string, unknown>> {
  if (!value.trim()) {
    throw invalid(
      '--input is empty: give a JSON object such as --input \'{"request":"…"}\', @input.json, or - to read stdin',
    );
  }
  const { text, from } = await inputText(value, source);
  if (!text.trim())
    throw invalid(`${from} is empty: a run's input is a JSON object of the workflow's state fields`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(`${from} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    const kind = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`;
    throw invalid(`${from} is ${kind}: a run's input is a JSON object of the workflow's state fields`);
  }
  return parsed as Record<string, unknown>;
}

async function inputText(value: string, source: InputSource): Promise<{ text: string; from: string }> {
  if (value === "-") {
    if (source.stdin.isTTY) {
      throw invalid(
        "--input - reads the input from stdin, but stdin is a terminal: pipe the JSON in (… | governor run … --input -)",
      );
    }
    return { text: await readAll(source.stdin), from: "the input on stdin" };
  }
  if (!value.startsWith("@")) return { text: value, from: "--input" };
  const file = resolve(value.slice(1));
  if (!value.slice(1).trim()) throw invalid("--input @ names no file: write --input @input.json");
  const info = await stat(file).catch(() => undefined);
  if (!info) throw invalid(`--input ${value}: no file at ${file}`);
  if (!info.isFile()) throw invalid(`--input ${value}: ${file} is not a file`);
  return { text: await readFile(file, "utf8"), from: file };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  // Joined once at the end: appending to a string chunk by chunk would copy it each time.
  return Buffer.concat(chunks).toString("utf8");
}

function invalid(message: string): GovernorError {
  return new GovernorError("INPUT_INVALID", message);
}
