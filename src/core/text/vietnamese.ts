/**
 * Vietnamese text handling shared by indexing and querying: NFC, lower case, one tone-mark position,
 * and a diacritics-free shadow (đ → d) that matches what the database's `vn_fold()` produces.
 */

/**
 * Tone marks in the open rhymes oa, oe, uy are placed two ways: on the first vowel ("hòa", "khỏe",
 * "thủy") or on the second ("hoà", "khoẻ", "thuỷ"). Both are common. We always put the mark on the
 * second vowel; the database's `vn_tone()` applies the same table to indexed text.
 */
export const TONE_PAIRS: [string, string][] = [
  ["òa", "oà"], ["óa", "oá"], ["ỏa", "oả"], ["õa", "oã"], ["ọa", "oạ"],
  ["òe", "oè"], ["óe", "oé"], ["ỏe", "oẻ"], ["õe", "oẽ"], ["ọe", "oẹ"],
  ["ùy", "uỳ"], ["úy", "uý"], ["ủy", "uỷ"], ["ũy", "uỹ"], ["ụy", "uỵ"],
];
const TONE_RE = new RegExp(`(${TONE_PAIRS.map(([from]) => from).join("|")})(?![\\p{L}])`, "gu");
const TONE_MAP = new Map(TONE_PAIRS);

/** NFC, lower case, tone marks in one position, whitespace collapsed. */
export function normalizeText(input: string): string {
  return input
    .normalize("NFC")
    .toLowerCase()
    .replace(TONE_RE, (m) => TONE_MAP.get(m) ?? m)
    .replace(/\s+/g, " ")
    .trim();
}

/** The diacritics-free shadow: "Đăng ký khai sinh" → "dang ky khai sinh". */
export function foldText(input: string): string {
  return input
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .normalize("NFC");
}

/** Folded word tokens (letters and digits only), in order. */
export function foldedTokens(input: string): string[] {
  return foldText(input)
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .split(" ")
    .filter(Boolean);
}

/** Whether a text carries any Vietnamese diacritic (tells a no-tone-mark message apart). */
export function hasDiacritics(input: string): boolean {
  return foldText(input) !== input.toLowerCase().normalize("NFC");
}
