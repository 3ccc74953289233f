import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GovernorStore } from "@governor/core";
import { agentPrincipal } from "@governor/identity";
import type { FactWrite } from "@governor/memory";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import type { BaseCheckpointSaver } from "@langchain/langgraph";

/** A GovernorStore in a fresh temp dir, removed by `close`. */
export function tempStore(): { store: GovernorStore; close: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-memory-graph-"));
  const store = new GovernorStore(dir);
  return {
    store,
    close: () => {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The operator who seeds rules outside any run. */
export const operator = agentPrincipal("ops-console", ["memory:admin"]);

export const zoneB = { entity: "zone-b", attribute: "carrier" } as const;

/** A statement about Zone B's carrier, as a person or a meeting made it. */
export function carrierRule(
  value: string,
  kind: "mandate" | "suggestion" | "preference" | "observation",
  by: string,
  weight: number,
  tenant = "acme",
): FactWrite {
  return {
    scope: { tenant },
    ...zoneB,
    value,
    kind,
    authority: { by, weight },
    source: { type: "manual" },
  };
}

/**
 * A scripted model that answers every call with `answer` and keeps the system prompt of each
 * call it received: the tests assert on what the model actually read.
 */
export function recordingModel(answer = "Noted.") {
  const systems: string[] = [];
  const model = new ScenarioChatModel(
    defineScenario({
      name: "memory-recorder",
      turns: [
        {
          reply: (view) => {
            systems.push(view.system);
            return { text: answer };
          },
        },
      ],
    }),
  );
  return { model, systems };
}

/**
 * The store's checkpointer, except that once `armed`, the step's writes are lost and saving the
 * checkpoint fails: what a process killed between a node's side effect and its checkpoint leaves.
 */
export function crashingCheckpointer(saver: BaseCheckpointSaver, armed: { on: boolean }) {
  return new Proxy(saver, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === "putWrites") {
        return async (...args: unknown[]) => {
          if (armed.on) return;
          return (value as (...a: unknown[]) => Promise<void>).apply(target, args);
        };
      }
      if (property === "put") {
        return async (...args: unknown[]) => {
          if (armed.on) {
            armed.on = false;
            throw new Error("the worker died before the step was saved");
          }
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
