/**
 * A request body as the door's routes read it: JSON, with no key that names JavaScript's prototype
 * machinery (`__proto__`, `constructor`, `prototype`) at any depth. `JSON.parse` keeps such a key
 * as a plain own property, harmless in itself, but any later `Object.assign`, merge or
 * `obj[key] = value` copy of the body would set an object's prototype from the caller's input
 * (prototype poisoning). No contract of the hub has such a field, so a body with one is refused
 * with its path, before anything else reads it.
 *
 * Written here rather than taken from `secure-json-parse` (fastify's, which does the same scan):
 * the hub has no dependency for it, and the scan is one loop over what `JSON.parse` returned.
 * Iterative, with its own stack, so a body nested 100,000 deep (it fits in the door's 200 KB)
 * cannot overflow the call stack as a recursive walk, or a `JSON.parse` reviver, would.
 */

/** Characters of a path an answer names. */
const MAX_PATH = 200;

const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonBody =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: 'not-json' }
  | { readonly ok: false; readonly error: 'forbidden-key'; readonly key: string; readonly path: string };

/** A value to look at, and how it was reached (a chain to its parent, so that no path is copied per level). */
interface Visit {
  readonly node: unknown;
  readonly key?: string | number;
  readonly parent?: Visit;
}

/** The path of a visit as the contract errors write it: `payload.referrer`, `[1].payload`, `(root)`. */
const pathOf = (visit: Visit): string => {
  const parts: (string | number)[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) parts.push(at.key);
  if (parts.length === 0) return '(root)';
  const path = parts.reverse().map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
  // A path as deep as the body is long helps no one: its start says where.
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path;
};

export const parseJsonBody = (text: string): JsonBody => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not-json' };
  }
  const stack: Visit[] = [{ node: value }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { node } = visit;
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      node.forEach((item, index) => stack.push({ node: item, key: index, parent: visit }));
      continue;
    }
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key)) return { ok: false, error: 'forbidden-key', key, path: pathOf(visit) };
      stack.push({ node: (node as Record<string, unknown>)[key], key, parent: visit });
    }
  }
  return { ok: true, value };
};

/** The message a refusal of a forbidden key gives: the key and where, never a value. */
export const forbiddenKeyMessage = (body: { readonly key: string; readonly path: string }): string =>
  `the body has a key ${body.key} (in ${body.path}): keys naming JavaScript prototypes are refused`;
