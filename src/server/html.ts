/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

export interface PageOptions {
  /** Page-specific CSS, appended after the shared rules. */
  css?: string;
  /** The header's link (default: the catalogue); the admin pages link to their own start. */
  home?: { href: string; label: string };
}

/** The shared page frame: Vietnamese, mobile-first, no external assets. */
export function page(title: string, body: string, options: PageOptions = {}): string {
  return frame(title, body, "", options.css ?? "", options.home);
}

/**
 * The shared frame plus one same-origin script (CSP allows no inline script) and optional
 * page-specific CSS appended after the shared rules.
 */
export function pageWithScript(title: string, body: string, scriptPath: string, extraCss = ""): string {
  return frame(title, body, `<script src="${escapeHtml(scriptPath)}" defer></script>\n`, extraCss);
}

function frame(title: string, body: string, head: string, extraCss: string, home = { href: "/thu-tuc", label: "Tra cứu thủ tục hành chính" }): string {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  :root { color-scheme: light; --ink: #1b1b1b; --muted: #5a5a5a; --line: #d8d8d8; --brand: #a3120f; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
  header { background: var(--brand); color: #fff; padding: 0.75rem 1rem; }
  header a { color: #fff; text-decoration: none; font-weight: 600; }
  main { max-width: 56rem; margin: 0 auto; padding: 1rem; }
  form { display: flex; gap: 0.5rem; flex-wrap: wrap; margin: 0.5rem 0 1rem; }
  input[type=search] { flex: 1 1 16rem; font: inherit; padding: 0.6rem; border: 1px solid #767676; border-radius: 4px; }
  button { font: inherit; padding: 0.6rem 1rem; border: 0; border-radius: 4px; background: var(--brand); color: #fff; cursor: pointer; }
  :focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
  ol.results { list-style: none; padding: 0; margin: 0; }
  ol.results li { border-bottom: 1px solid var(--line); padding: 0.6rem 0; }
  .meta { color: var(--muted); font-size: 0.9rem; }
  .code { font-family: ui-monospace, monospace; }
  nav.pages { display: flex; justify-content: space-between; margin-top: 1rem; }
  a { color: #1d4ed8; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
${extraCss}</style>
${head}</head>
<body>
<header><a href="${escapeHtml(home.href)}">${escapeHtml(home.label)}</a></header>
<main>
${body}
</main>
</body>
</html>`;
}
