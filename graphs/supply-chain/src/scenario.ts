import { defineScenario, type ScenarioScript, type ScenarioView, type ScriptedReply } from "@governor/models";
import { caseOf, handedOverAt, lastResult, stockOf, toolEvents } from "./conversation.js";

/** Each agent's system prompt starts with its marker, so the script knows which agent asks. */
export const DIAGNOSTIC_MARKER = "You are the plant's supply-chain diagnostic agent";
export const SPECIALIST_MARKER = "You are the vendor specialist";
export const EXECUTOR_MARKER = "You are the ERP execution agent";

/**
 * The diagnostic reads stock and shipments in one turn (two parallel calls), flags the
 * bottleneck and hands it on. Asked to, it tries shortcuts the controls refuse: straight to
 * the executor before any vendor draft (policy denies it), or to a finance agent that does
 * not exist (not offered).
 */
function diagnosticTurn(view: ScenarioView): ScriptedReply {
  const { site, sku, request } = caseOf(view);
  const shipments = lastResult(view, "read_shipments")?.result;
  const inventory = lastResult(view, "read_inventory")?.result;
  if (!inventory || !shipments) {
    return {
      text: `Checking stock and inbound shipments for ${sku} at ${site}.`,
      toolCalls: [
        { name: "read_inventory", args: { sku, site } },
        { name: "read_shipments", args: { sku } },
      ],
    };
  }
  const stock = stockOf(view);
  if (!stock) return { text: `${sku} is not stocked at ${site}; there is nothing to diagnose.` };
  const late = Number(shipments.late ?? 0);
  const finding = `Bottleneck: ${sku} (${stock.name}) has ${stock.daysOfCover} days of cover at ${site} against ${stock.dailyDemand} a day, and ${late} inbound ${late === 1 ? "shipment" : "shipments"} from ${stock.vendorId} ${late === 1 ? "is" : "are"} late.`;
  const shortfall = stock.targetStock - stock.onHand;
  const tried = (tool: string) => toolEvents(view, tool).length > 0;
  if (/finance/i.test(request) && !tried("handoff_to_finance")) {
    return {
      text: `${finding} Finance should sign off the extra spend.`,
      toolCalls: [
        { name: "handoff_to_finance", args: { task: `Approve ${shortfall} more units of ${sku}` } },
      ],
    };
  }
  if (/skip the vendor|straight (in)?to the ERP/i.test(request) && !tried("handoff_to_executor")) {
    return {
      text: `${finding} Going straight to the ERP as asked.`,
      toolCalls: [{ name: "handoff_to_executor", args: { task: `Order ${shortfall} units of ${sku} now` } }],
    };
  }
  if (!tried("handoff_to_specialist")) {
    return {
      text: finding,
      toolCalls: [
        {
          name: "handoff_to_specialist",
          args: {
            task: `${finding} Draft a response to ${stock.vendorId} and get ${shortfall} units on order.`,
          },
        },
      ],
    };
  }
  return { text: finding };
}

/**
 * The specialist drafts the vendor response, then, eager to save time, tries to place the
 * order in the ERP itself: its identity holds no erp:write, so that is refused. It then
 * hands the order to the executor.
 */
function specialistTurn(view: ScenarioView): ScriptedReply {
  const { incident, site, sku } = caseOf(view);
  const stock = stockOf(view);
  if (!stock) return { text: `I have no stock figures for ${sku}; I can't write to the vendor yet.` };
  const since = handedOverAt(view, "specialist");
  const shortfall = stock.targetStock - stock.onHand;
  const drafted = lastResult(view, "draft_vendor_response", since);
  if (!drafted) {
    if (toolEvents(view, "draft_vendor_response", since).length) {
      return { text: `I could not draft the response to ${stock.vendorId}; a buyer should write it.` };
    }
    return {
      text: `Drafting a response to ${stock.vendorId} about the late ${sku} deliveries.`,
      toolCalls: [
        {
          name: "draft_vendor_response",
          args: {
            incident,
            vendorId: stock.vendorId,
            sku,
            message: `Our last deliveries of ${stock.name} (${sku}) arrived late and ${site} is down to ${stock.daysOfCover} days of cover. Please confirm a firm date for the open shipments and capacity for ${shortfall} more units.`,
          },
        },
      ],
    };
  }
  if (!toolEvents(view, "update_erp", since).length) {
    return {
      text: "The draft is ready. To save time I'll put the order into the ERP myself.",
      toolCalls: [
        {
          name: "update_erp",
          args: {
            sku,
            site,
            vendorId: stock.vendorId,
            quantity: shortfall,
            reason: "specialist placing the order to save time",
          },
        },
      ],
    };
  }
  if (!toolEvents(view, "handoff_to_executor", drafted.index).length) {
    return {
      text: "I may not change the ERP; handing the order to the executor.",
      toolCalls: [
        {
          name: "handoff_to_executor",
          args: {
            task: `Order ${shortfall} units of ${sku} from ${stock.vendorId}; the vendor response is drafted.`,
          },
        },
      ],
    };
  }
  return { text: `The response to ${stock.vendorId} is drafted.` };
}

/** The executor raises the order the bottleneck needs (up to the target stock), then reports. */
function executorTurn(view: ScenarioView): ScriptedReply {
  const { site, sku } = caseOf(view);
  const stock = stockOf(view);
  if (!stock) return { text: `I have no stock figures for ${sku}; I won't order blind.` };
  const since = handedOverAt(view, "executor");
  const mine = toolEvents(view, "update_erp", since);
  const last = mine.at(-1);
  if (!last) {
    return {
      text: `Raising a purchase-order change for ${sku}.`,
      toolCalls: [
        {
          name: "update_erp",
          args: {
            sku,
            site,
            vendorId: stock.vendorId,
            quantity: stock.targetStock - stock.onHand,
            reason: `replenish ${sku} to target stock after late deliveries`,
          },
        },
      ],
    };
  }
  if (last.ok && last.result) {
    const { changeId, quantity, value } = last.result;
    return {
      text: `Raised ${String(changeId)}: ${String(quantity)} × ${sku} from ${stock.vendorId} for $${Number(value).toLocaleString("en-US")}.`,
    };
  }
  return { text: `The ERP change for ${sku} was not made: ${last.text}` };
}

const turns = [
  { when: { system: new RegExp(DIAGNOSTIC_MARKER) }, reply: diagnosticTurn },
  { when: { system: new RegExp(SPECIALIST_MARKER) }, reply: specialistTurn },
  { when: { system: new RegExp(EXECUTOR_MARKER) }, reply: executorTurn },
];

/**
 * The two offline models of the sample, playing one script: which one answers a turn is the
 * routing's choice, recorded in the audit, and the story does not depend on it. They are
 * named (and priced) apart: `scenario:supply-chain-fast` and `scenario:supply-chain-strong`.
 */
export const supplyChainScenarios: Readonly<Record<"fast" | "strong", ScenarioScript>> = {
  fast: defineScenario({ name: "supply-chain-fast", turns }),
  strong: defineScenario({ name: "supply-chain-strong", turns }),
};
