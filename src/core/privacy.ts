/**
 * Masks personal numbers in free text before it is logged or shown to staff: Vietnamese phone
 * numbers (0xxxxxxxxx, +84…, 84…) and identity numbers (12-digit căn cước, 9-digit old ID cards).
 * Keeps the last 3 digits so a clerk can still tell two numbers apart.
 */
export function maskPersonalNumbers(text: string): string {
  return text.replace(/(?<![\d.\/-])(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?![\d\/-])|(?<![\d.\/-])\d{9}(?:\d{3})?(?![\d\/-])/g, (m) => {
    const digits = m.replace(/\D/g, "");
    return `${"*".repeat(Math.max(0, digits.length - 3))}${digits.slice(-3)}`;
  });
}
