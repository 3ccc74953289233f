import { tool } from "@langchain/core/tools";
import { ADD_NOTE, LOOKUP_ORDER, type OrderDesk } from "./loop-script.js";

/** The two tools as a plain LangGraph app declares them: same names, descriptions and contracts as the governed ones. */
export function bareTools(desk: OrderDesk) {
  return [
    tool(({ orderId }) => JSON.stringify(desk.lookup(orderId)), LOOKUP_ORDER),
    tool(({ orderId, note }) => JSON.stringify(desk.note(orderId, note)), ADD_NOTE),
  ];
}
