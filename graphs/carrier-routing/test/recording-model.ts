import type { ScenarioScript } from "@governor/models";
import { ScenarioChatModel } from "@governor/models/testing";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

/** One call the model received: every message's text and the tools bound to it, as JSON. */
export interface ReceivedCall {
  readonly system: string;
  readonly messages: readonly string[];
  readonly tools: string;
}

/** The sample's scripted model, keeping exactly what each call received (the prompt as sent). */
export class RecordingModel extends ScenarioChatModel {
  readonly received: ReceivedCall[] = [];

  constructor(script: ScenarioScript) {
    super(script);
  }

  override async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const text = (message: BaseMessage) =>
      typeof message.content === "string" ? message.content : JSON.stringify(message.content);
    this.received.push({
      system: messages
        .filter((message) => message.getType() === "system")
        .map(text)
        .join("\n"),
      messages: messages.map(text),
      tools: JSON.stringify(options.tools ?? []),
    });
    return super._generate(messages, options, runManager);
  }
}
