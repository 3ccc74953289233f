/** Test helpers for code that keeps an audit journal: `@governor/observability/testing`. */

export {
  type FlatSpan,
  flattenOtlpSpans,
  type OtlpReceiver,
  type ReceivedRequest,
  type ReceiverMode,
  startOtlpReceiver,
} from "./otlp-receiver.js";
export { tamperAuditRecord } from "./tamper-audit.js";
