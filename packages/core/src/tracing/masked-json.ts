import { maskForDisplay, maskRecordData } from "../privacy/audit-mask.js";
import type { PrivacyOptions } from "../privacy/pii-mask.js";

/**
 * A value as a span may carry it: the workflow's sensitive fields redacted, every e-mail,
 * card and phone number in any string replaced by its masked form, as JSON. Spans leave the
 * process for a tracing backend that is not the audit journal's reader, so they get the
 * display form (`[card ****4242]`), never the value nor a digest of it. Masked here, where
 * the span is made, so no exporter configuration can let personal data through.
 */
export function maskedJson(value: unknown, privacy?: PrivacyOptions): string {
  const redacted = privacy?.sensitive?.length
    ? maskRecordData(value, { sensitive: privacy.sensitive })
    : value;
  try {
    return JSON.stringify(maskForDisplay(redacted)) ?? "null";
  } catch {
    // A cycle or a bigint: the span says so rather than failing the node that traced it.
    return '"[unserializable]"';
  }
}
