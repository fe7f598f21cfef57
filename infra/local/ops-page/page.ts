/**
 * The local ops page (`GET /` on the ingress port), from three plain files in this folder:
 * index.html, ops-page.css and ops-page.js (browser JavaScript, no framework and no build step;
 * ESLint reads it with browser globals). They are read once, when the runtime loads this module.
 *
 * The page is served as one document: the style and the script go inline in place of the
 * `<link>` and `<script src>` that name them in index.html, so the Content-Security-Policy can
 * allow exactly this style and this script by their hashes and nothing from anywhere else. The
 * script builds every element with `textContent`, never with HTML from the hub.
 *
 * Accessibility (WCAG 2.2 AA) is the files' own: see the comment at the top of index.html.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const read = (name: string): string => readFileSync(new URL(name, import.meta.url), 'utf8');

/** Puts `content` in place of `tag`, which index.html must hold exactly once. */
const inline = (html: string, tag: string, element: 'style' | 'script', content: string): string => {
  const parts = html.split(tag);
  if (parts.length !== 2) throw new Error(`ops page: index.html must hold ${tag} exactly once`);
  if (content.toLowerCase().includes(`</${element}`)) throw new Error(`ops page: the inline ${element} must not hold </${element}`);
  return `${parts[0]}<${element}>${content}</${element}>${parts[1]}`;
};

const STYLE = read('ops-page.css');
const SCRIPT = read('ops-page.js');

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Allows this page's own style and script and requests to its own origin, nothing else. */
export const OPS_PAGE_CSP = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const OPS_PAGE_HTML = inline(
  inline(read('index.html'), '<link rel="stylesheet" href="ops-page.css">', 'style', STYLE),
  '<script src="ops-page.js"></script>',
  'script',
  SCRIPT,
);
