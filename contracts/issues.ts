/**
 * How the contracts name what is wrong in a document that breaks them: field paths and zod's
 * messages, never the values (which may be personal data).
 */
import type * as z from '#contracts/zod';

/** `rivit[3].hetu`: a field path with array positions in brackets; `(root)` for the document itself. */
export const issuePath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '') ||
  '(root)';

/** The first ten issues as `path: message`, joined by `; `. */
export const issueText = (error: z.ZodError): string =>
  error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
