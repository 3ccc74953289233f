/**
 * Reading an SVG string in tests without a DOM. Sound because the renderer escapes every
 * `<`, `>`, `&` and quote in text: each literal `<` in its output starts a real tag, and an
 * attribute value never holds a `"`. The browser test parses the same SVG for real.
 */

export interface Tag {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  /** The tag's text between its name and `>` that is not a `name="value"` pair (must be empty or "/"). */
  readonly rest: string;
}

/** Every opening tag, in order, with its attributes as written (still escaped). */
export function tagsOf(svg: string): Tag[] {
  const tags: Tag[] = [];
  for (const match of svg.matchAll(/<([a-zA-Z][\w:-]*)([^<>]*)>/g)) {
    const attributes = new Map<string, string>();
    const body = match[2] ?? "";
    const rest = body.replace(/\s([a-zA-Z][\w:-]*)="([^"<>]*)"/g, (_all, name: string, value: string) => {
      attributes.set(name, value);
      return "";
    });
    tags.push({ name: match[1] as string, attributes, rest: rest.trim() });
  }
  return tags;
}

/** The markup of the `<g>` whose `data-node` is `id` (escaped as the renderer escapes it), nested groups included. */
export function nodeGroup(svg: string, escapedId: string): string {
  const start = svg.indexOf(`data-node="${escapedId}"`);
  if (start < 0) throw new Error(`no node ${escapedId} in the SVG`);
  const open = svg.lastIndexOf("<g ", start);
  let depth = 0;
  for (const match of svg.slice(open).matchAll(/<g[\s>]|<\/g>/g)) {
    depth += match[0] === "</g>" ? -1 : 1;
    if (depth === 0) return svg.slice(open, open + (match.index as number) + 4);
  }
  throw new Error(`node ${escapedId} is not closed`);
}

/** XML character references and the five entities back to text. */
export function unescapeXml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_all, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

/** The text of the first `<name>` element in `markup`, unescaped. */
export function textOf(markup: string, name: string): string {
  const match = markup.match(new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`));
  if (!match) throw new Error(`no <${name}> in ${markup.slice(0, 200)}`);
  return unescapeXml(match[1] as string);
}
