/**
 * A byte-pair encoding's ranks, read from js-tiktoken's bundled rank files. Keys are the
 * token's bytes as a latin1 string (one char per byte), so a span of a piece is a cheap
 * `slice` rather than the comma-joined arrays js-tiktoken builds for every pair it tries.
 */
export interface BytePairRanks {
  readonly ranks: ReadonlyMap<string, number>;
  /** The pre-tokenizer: the text is split into pieces by this pattern before merging. */
  readonly pattern: RegExp;
  /** The longest token, in bytes: no merge can produce a longer span, so none is looked up. */
  readonly maxTokenBytes: number;
}

/** Parses a js-tiktoken rank file (`{ pat_str, bpe_ranks }`) into ranks by byte string. */
export function bytePairRanks(file: { pat_str: string; bpe_ranks: string }): BytePairRanks {
  const ranks = new Map<string, number>();
  let maxTokenBytes = 1;
  const text = file.bpe_ranks;
  // The format js-tiktoken writes, one line per run of ranks: "<name> <first rank> <base64
  // token> <base64 token> ...". Walked by index and decoded in place: splitting 100k tokens
  // into strings and a Buffer each was most of the time the first budgeted model call took.
  let line = 0;
  while (line < text.length) {
    let lineEnd = text.indexOf("\n", line);
    if (lineEnd < 0) lineEnd = text.length;
    const nameEnd = text.indexOf(" ", line);
    const rankEnd = nameEnd < 0 || nameEnd >= lineEnd ? -1 : text.indexOf(" ", nameEnd + 1);
    if (rankEnd > nameEnd && rankEnd < lineEnd) {
      let rank = Number.parseInt(text.slice(nameEnd + 1, rankEnd), 10);
      for (let at = rankEnd + 1; at < lineEnd; ) {
        let end = text.indexOf(" ", at);
        if (end < 0 || end > lineEnd) end = lineEnd;
        const bytes = base64Latin1(text, at, end);
        ranks.set(bytes, rank++);
        if (bytes.length > maxTokenBytes) maxTokenBytes = bytes.length;
        at = end + 1;
      }
    }
    line = lineEnd + 1;
  }
  return { ranks, pattern: new RegExp(file.pat_str, "gu"), maxTokenBytes };
}

const SEXTETS = new Int8Array(128).fill(-1);
for (const [index, char] of [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].entries())
  SEXTETS[char.charCodeAt(0)] = index;
/** Scratch space for one token's bytes; no token is near this long. */
let scratch = new Uint16Array(256);

/**
 * `text.slice(start, end)` decoded from base64 as a latin1 string (one char per byte), as
 * `Buffer.from(…, "base64").toString("latin1")` gives it, without a Buffer per token.
 */
function base64Latin1(text: string, start: number, end: number): string {
  if (scratch.length < end - start) scratch = new Uint16Array(end - start);
  let length = 0;
  let bits = 0;
  let accumulated = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    const sextet = code < 128 ? (SEXTETS[code] as number) : -1;
    if (sextet < 0) break; // "=" padding ends the token
    accumulated = ((accumulated << 6) | sextet) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      scratch[length++] = (accumulated >> bits) & 0xff;
    }
  }
  return String.fromCharCode.apply(null, scratch.subarray(0, length) as unknown as number[]);
}

/**
 * How many tokens `text` encodes to: the same count as js-tiktoken's `encode` with special
 * tokens treated as plain text, in O(n log n) instead of O(n²) per piece.
 *
 * js-tiktoken merges a piece by rescanning every adjacent pair after each merge, and builds
 * a string key for each pair it tries, so one long run without whitespace (a 64 KB argument
 * of one word, a base64 blob, a CJK paragraph) took seconds to minutes. This merges with a
 * heap keyed by (rank, position): each step takes the lowest rank, leftmost on ties, exactly
 * as the quadratic loop does, so the counts are identical. Spans longer than the longest
 * token are never looked up, so each lookup is bounded too.
 */
export function countBytePairTokens(text: string, bpe: BytePairRanks): number {
  let total = 0;
  // The cl100k pre-tokenizer has no nested quantifiers that can backtrack over a run:
  // every alternative either consumes its run or fails after one look-ahead character.
  for (const match of text.matchAll(bpe.pattern)) {
    total += countPiece(Buffer.from(match[0], "utf8").toString("latin1"), bpe);
  }
  return total;
}

function countPiece(bytes: string, bpe: BytePairRanks): number {
  const n = bytes.length;
  if (n <= 1) return n;
  if (n <= bpe.maxTokenBytes && bpe.ranks.has(bytes)) return 1;
  // Parts are a linked list over byte offsets: part i spans [i, next[i]).
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const version = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  const heap = new PairHeap(2 * n);
  const push = (i: number) => {
    const j = next[i] as number;
    if (j >= n) return;
    const end = next[j] as number;
    if (end - i > bpe.maxTokenBytes) return;
    const rank = bpe.ranks.get(bytes.slice(i, end));
    if (rank !== undefined) heap.push(rank, i, version[i] as number);
  };
  for (let i = 0; i < n - 1; i++) push(i);
  let parts = n;
  while (heap.pop()) {
    const i = heap.position;
    // A stale entry: part i merged with its left neighbour, or its pair changed since.
    if (version[i] !== heap.version) continue;
    const j = next[i] as number;
    const after = next[j] as number;
    next[i] = after;
    if (after < n) prev[after] = i;
    version[j] = -1;
    parts--;
    version[i] = (version[i] as number) + 1;
    push(i);
    const before = prev[i] as number;
    if (before >= 0) {
      version[before] = (version[before] as number) + 1;
      push(before);
    }
  }
  return parts;
}

/**
 * A binary min-heap of (rank, position, version), ordered by rank then position. Kept in
 * typed arrays: a megabyte-long piece pushes millions of entries, and an object per entry
 * made the collector, not the merge, the cost.
 */
class PairHeap {
  #rank: Int32Array;
  #position: Int32Array;
  #version: Int32Array;
  #size = 0;
  /** The entry `pop` last returned. */
  rank = 0;
  position = 0;
  version = 0;

  constructor(capacity: number) {
    this.#rank = new Int32Array(Math.max(capacity, 16));
    this.#position = new Int32Array(this.#rank.length);
    this.#version = new Int32Array(this.#rank.length);
  }

  push(rank: number, position: number, version: number): void {
    if (this.#size === this.#rank.length) this.#grow();
    let at = this.#size++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const parentRank = this.#rank[parent] as number;
      if (parentRank < rank || (parentRank === rank && (this.#position[parent] as number) < position)) break;
      this.#move(parent, at);
      at = parent;
    }
    this.#rank[at] = rank;
    this.#position[at] = position;
    this.#version[at] = version;
  }

  /** Takes the lowest entry into `rank`/`position`/`version`; false when the heap is empty. */
  pop(): boolean {
    if (!this.#size) return false;
    this.rank = this.#rank[0] as number;
    this.position = this.#position[0] as number;
    this.version = this.#version[0] as number;
    const last = --this.#size;
    const rank = this.#rank[last] as number;
    const position = this.#position[last] as number;
    const version = this.#version[last] as number;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= last) break;
      if (child + 1 < last && this.#less(child + 1, child)) child++;
      const childRank = this.#rank[child] as number;
      if (rank < childRank || (rank === childRank && position < (this.#position[child] as number))) break;
      this.#move(child, at);
      at = child;
    }
    this.#rank[at] = rank;
    this.#position[at] = position;
    this.#version[at] = version;
    return true;
  }

  #less(a: number, b: number): boolean {
    const ra = this.#rank[a] as number;
    const rb = this.#rank[b] as number;
    return ra < rb || (ra === rb && (this.#position[a] as number) < (this.#position[b] as number));
  }

  #move(from: number, to: number): void {
    this.#rank[to] = this.#rank[from] as number;
    this.#position[to] = this.#position[from] as number;
    this.#version[to] = this.#version[from] as number;
  }

  #grow(): void {
    const grow = (old: Int32Array) => {
      const bigger = new Int32Array(old.length * 2);
      bigger.set(old);
      return bigger;
    };
    this.#rank = grow(this.#rank);
    this.#position = grow(this.#position);
    this.#version = grow(this.#version);
  }
}
