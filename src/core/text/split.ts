/**
 * Cuts a reply into messages no longer than a channel allows (Telegram 4,096, Zalo 2,000 characters),
 * at the most natural boundary that fits: a blank line between sections, then a line (list items), then
 * the end of a sentence, then a space. A single word longer than the limit (a long link) is the only
 * thing cut mid-word, and never inside a surrogate pair.
 *
 * Lengths are UTF-16 code units, which is how both platforms count. Pieces are trimmed; no piece is
 * empty; joining them with the boundaries they were cut at gives back the text.
 */
export function splitText(text: string, limit: number): string[] {
  if (!(limit >= 2)) throw new RangeError("limit must be at least 2");
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const cut = cutPoint(rest, limit);
    const head = rest.slice(0, cut).trimEnd();
    if (head) out.push(head);
    rest = rest.slice(cut).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}

/** Boundaries in order of preference; each pattern's match ends where the next piece may start. */
const BOUNDARIES: RegExp[] = [/\n[ \t]*\n/g, /\n/g, /[.!?…;:](?=\s)/g, /\s/g];

function cutPoint(text: string, limit: number): number {
  const window = text.slice(0, limit + 1);
  // First a boundary that keeps the piece reasonably full, trying finer kinds; then any boundary at all.
  for (const floor of [limit * 0.3, 1]) {
    for (const pattern of BOUNDARIES) {
      let best = -1;
      for (const m of window.matchAll(pattern)) {
        // A sentence mark stays with its sentence; whitespace goes with neither piece.
        const end = pattern.source.startsWith("[.") ? m.index + m[0].length : m.index;
        if (end > 0 && end <= limit) best = end;
      }
      if (best >= floor) return best;
    }
  }
  // No boundary at all: a hard cut, stepping back off a high surrogate.
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}
