/**
 * Text made safe for an SVG (XML or HTML) text node or a quoted attribute value. Node ids and
 * descriptions are the workflow author's data, so every one passes here. Characters XML 1.0
 * forbids even as references (control characters, lone surrogates) become U+FFFD, so an
 * id cannot make the SVG ill-formed when it is served as a file.
 */
export function escapeXml(text: string): string {
  return text
    .replace(LONE_SURROGATE, "\uFFFD")
    .replace(FORBIDDEN, "\uFFFD")
    .replace(/[&<>"']/g, (char) => ENTITIES[char] as string);
}

// Everything below U+0020 but tab, newline and carriage return, and the two non-characters U+FFFE/U+FFFF.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
