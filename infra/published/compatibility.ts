/**
 * Whether a published message type's schema changed in a way that breaks its senders or its
 * receivers (docs/DESIGN.md "Published contract and its versions"). Every difference between the
 * version's baseline and the schema generated now is classified by what the new schema accepts:
 *
 * - `narrowed`: it accepts less (a new required field, a field made required, a type, enum value or
 *   union branch gone, a pattern, format or const added, a bound tightened). Breaks the senders of
 *   an inbound type, whose messages the hub would now refuse.
 * - `widened`: it accepts more (a field made optional, a type, enum value or branch added, a pattern,
 *   format or const dropped, a bound loosened). Breaks the receivers of an outbound type, who would
 *   get what they were never promised.
 * - `changed`: neither can be told (a different pattern, format or const): breaks both.
 * - `removed`: a field is gone, or renamed (gone under its old name). Breaks both: a sender's field
 *   would be dropped unread, a receiver's field would be missing.
 * - `added-optional`: a new optional field. Breaks neither: the hub ignores what it does not read,
 *   and receivers are asked to ignore fields they do not know.
 *
 * Written here rather than taken from a library: the maintained JSON Schema differs (npm
 * `json-schema-diff`) compare the sets of values two schemas accept, so they neither report a
 * removed optional field (the set only grows) nor support `format`, and they answer in schemas of
 * the values added or removed, not in field names; what a test needs here is the field and the rule,
 * over the few keywords `z.toJSONSchema` writes. Where it cannot tell, it says `changed` (breaking),
 * never nothing.
 */
import type { JsonSchema } from '#infra/published/json-schemas';
import type { Direction } from '#contracts/messages/published';

export type ChangeKind = 'narrowed' | 'widened' | 'changed' | 'removed' | 'added-optional';

export interface SchemaChange {
  /** The field, as `payload.decision(kind=target).target.hetu`; `(root)` for the envelope itself. */
  readonly path: string;
  readonly kind: ChangeKind;
  readonly detail: string;
}

type Node = JsonSchema;

const LOWER_BOUNDS = ['minLength', 'minimum', 'exclusiveMinimum', 'minItems', 'minProperties'] as const;
const UPPER_BOUNDS = ['maxLength', 'maximum', 'exclusiveMaximum', 'maxItems', 'maxProperties'] as const;

const join = (path: string, name: string): string => (path ? `${path}.${name}` : name);
const show = (value: unknown): string => JSON.stringify(value);

const typesOf = (node: Node): Set<string> | undefined => {
  const type = node.type;
  if (type === undefined) return undefined;
  return new Set(Array.isArray(type) ? (type as string[]) : [type as string]);
};

/** `integer` is a kind of `number`: a type is covered by a set that holds it or its wider kind. */
const covered = (type: string, by: Set<string>): boolean => by.has(type) || (type === 'integer' && by.has('number'));

const compareTypes = (was: Node, now: Node, path: string, out: SchemaChange[]): void => {
  const before = typesOf(was);
  const after = typesOf(now);
  if (!before || !after) {
    if (before && !after) out.push({ path, kind: 'widened', detail: `no longer restricted to type ${[...before].join('|')}` });
    if (!before && after) out.push({ path, kind: 'narrowed', detail: `now restricted to type ${[...after].join('|')}` });
    return;
  }
  const gone = [...before].filter((t) => !covered(t, after));
  const added = [...after].filter((t) => !covered(t, before));
  if (gone.length > 0) out.push({ path, kind: 'narrowed', detail: `type ${gone.join('|')} no longer accepted` });
  if (added.length > 0) out.push({ path, kind: 'widened', detail: `type ${added.join('|')} now accepted` });
};

/** A keyword whose value is a single constraint (pattern, format, const): added narrows, dropped widens, altered changes. */
const compareConstraint = (key: 'pattern' | 'format' | 'const', was: Node, now: Node, path: string, out: SchemaChange[]): void => {
  const before = was[key];
  const after = now[key];
  if (show(before) === show(after)) return;
  if (before === undefined) out.push({ path, kind: 'narrowed', detail: `${key} ${show(after)} added` });
  else if (after === undefined) out.push({ path, kind: 'widened', detail: `${key} ${show(before)} dropped` });
  else out.push({ path, kind: 'changed', detail: `${key} changed from ${show(before)} to ${show(after)}` });
};

const compareEnum = (was: Node, now: Node, path: string, out: SchemaChange[]): void => {
  const before = was.enum as unknown[] | undefined;
  const after = now.enum as unknown[] | undefined;
  if (!before && !after) return;
  if (!before) return void out.push({ path, kind: 'narrowed', detail: `now limited to ${show(after)}` });
  if (!after) return void out.push({ path, kind: 'widened', detail: `no longer limited to ${show(before)}` });
  const gone = before.filter((v) => !after.some((w) => show(w) === show(v)));
  const added = after.filter((v) => !before.some((w) => show(w) === show(v)));
  if (gone.length > 0) out.push({ path, kind: 'narrowed', detail: `value ${gone.map(show).join(', ')} no longer accepted` });
  if (added.length > 0) out.push({ path, kind: 'widened', detail: `value ${added.map(show).join(', ')} added` });
};

const compareBounds = (was: Node, now: Node, path: string, out: SchemaChange[]): void => {
  for (const [keys, tighter] of [
    [LOWER_BOUNDS, (a: number, b: number) => b > a],
    [UPPER_BOUNDS, (a: number, b: number) => b < a],
  ] as const) {
    for (const key of keys) {
      const before = was[key] as number | undefined;
      const after = now[key] as number | undefined;
      if (before === after) continue;
      if (before === undefined) out.push({ path, kind: 'narrowed', detail: `${key} ${after} added` });
      else if (after === undefined) out.push({ path, kind: 'widened', detail: `${key} ${before} dropped` });
      else if (tighter(before, after)) out.push({ path, kind: 'narrowed', detail: `${key} tightened from ${before} to ${after}` });
      else out.push({ path, kind: 'widened', detail: `${key} loosened from ${before} to ${after}` });
    }
  }
};

const requiredOf = (node: Node): Set<string> => new Set((node.required as string[] | undefined) ?? []);

const compareProperties = (was: Node, now: Node, path: string, out: SchemaChange[]): void => {
  const before = (was.properties ?? {}) as Record<string, Node>;
  const after = (now.properties ?? {}) as Record<string, Node>;
  const requiredBefore = requiredOf(was);
  const requiredAfter = requiredOf(now);
  for (const [name, schema] of Object.entries(before)) {
    const field = join(path, name);
    if (!Object.hasOwn(after, name)) {
      out.push({ path: field, kind: 'removed', detail: 'field removed (or renamed)' });
      continue;
    }
    if (requiredBefore.has(name) && !requiredAfter.has(name)) out.push({ path: field, kind: 'widened', detail: 'made optional' });
    if (!requiredBefore.has(name) && requiredAfter.has(name)) out.push({ path: field, kind: 'narrowed', detail: 'made required' });
    compareNodes(schema, after[name]!, field, out);
  }
  for (const name of Object.keys(after)) {
    if (Object.hasOwn(before, name)) continue;
    const field = join(path, name);
    if (requiredAfter.has(name)) out.push({ path: field, kind: 'narrowed', detail: 'new required field' });
    else out.push({ path: field, kind: 'added-optional', detail: 'new optional field' });
  }
};

/** The branches of a union (`anyOf`, `oneOf`), or the node itself. */
const branchesOf = (node: Node): Node[] => (node.anyOf ?? node.oneOf ?? [node]) as Node[];

/** A branch's name, stable across versions: `null`, the value of its constant-valued field (`kind=target`), or its type. */
const branchKey = (branch: Node, index: number): string => {
  const types = typesOf(branch);
  if (types?.size === 1 && types.has('null')) return 'null';
  for (const [name, schema] of Object.entries((branch.properties ?? {}) as Record<string, Node>)) {
    if (schema.const !== undefined) return `${name}=${String(schema.const)}`;
  }
  return types ? [...types].join('|') : `#${index}`;
};

const compareUnions = (was: Node, now: Node, path: string, out: SchemaChange[]): void => {
  const before = new Map(branchesOf(was).map((b, i) => [branchKey(b, i), b]));
  const after = new Map(branchesOf(now).map((b, i) => [branchKey(b, i), b]));
  const single = before.size === 1 && after.size === 1;
  for (const [key, branch] of before) {
    const match = after.get(key) ?? (single ? [...after.values()][0] : undefined);
    if (!match) out.push({ path, kind: 'narrowed', detail: key === 'null' ? 'null no longer accepted' : `variant ${key} removed` });
    else compareNodes(branch, match, single || key === 'null' || !key.includes('=') ? path : `${path}(${key})`, out, true);
  }
  for (const key of after.keys()) {
    if (!before.has(key) && !single) out.push({ path, kind: 'widened', detail: key === 'null' ? 'null now accepted' : `variant ${key} added` });
  }
};

const compareNodes = (was: Node, now: Node, path: string, out: SchemaChange[], inBranch = false): void => {
  if (!inBranch && (was.anyOf || was.oneOf || now.anyOf || now.oneOf)) return compareUnions(was, now, path, out);
  compareTypes(was, now, path, out);
  compareConstraint('const', was, now, path, out);
  compareConstraint('pattern', was, now, path, out);
  compareConstraint('format', was, now, path, out);
  compareEnum(was, now, path, out);
  compareBounds(was, now, path, out);
  if (was.properties || now.properties) compareProperties(was, now, path, out);
  // A record's keys and values (`z.record`): compared as fields are, under `(keys)` and `.*`.
  for (const [key, name] of [['propertyNames', `${path}(keys)`], ['additionalProperties', `${path}.*`]] as const) {
    const before = was[key] as Node | undefined;
    const after = now[key] as Node | undefined;
    if (typeof before === 'object' && typeof after === 'object') compareNodes(before, after, name, out);
    else if (before === undefined && after !== undefined) out.push({ path: name, kind: 'narrowed', detail: `${key} ${show(after)} added` });
    else if (before !== undefined && after === undefined) out.push({ path: name, kind: 'widened', detail: `${key} ${show(before)} dropped` });
    else if (show(before) !== show(after)) out.push({ path: name, kind: 'changed', detail: `${key} changed` });
  }
  if (was.items || now.items) {
    if (!was.items || !now.items) out.push({ path: `${path}[]`, kind: 'changed', detail: 'items schema added or dropped' });
    else compareNodes(was.items as Node, now.items as Node, `${path}[]`, out);
  }
};

/** Every difference between a baseline and the schema now, classified; descriptions and titles are not compared. */
export const schemaChanges = (baseline: JsonSchema, current: JsonSchema): SchemaChange[] => {
  const out: SchemaChange[] = [];
  compareNodes(baseline, current, '', out);
  return out.map((change) => ({ ...change, path: change.path || '(root)' }));
};

const BREAKS: Record<Direction, readonly ChangeKind[]> = {
  inbound: ['narrowed', 'changed', 'removed'],
  outbound: ['widened', 'changed', 'removed'],
};

/** The changes that break the senders (inbound) or the receivers (outbound) of a published type, each a sentence naming the field. */
export const breakingChanges = (baseline: JsonSchema, current: JsonSchema, direction: Direction): string[] =>
  schemaChanges(baseline, current)
    .filter((change) => BREAKS[direction].includes(change.kind))
    .map((change) => `${change.path}: ${change.detail} (breaks the ${direction === 'inbound' ? 'senders' : 'receivers'})`);
