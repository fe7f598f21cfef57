/**
 * The fault language of the mocks: rules that make a system slow, fail, time out or answer garbage
 * for the requests they match (as JSON for `POST /__faults`, or through `server.faults`), the state
 * that decides which rules fire for a request, and the answers the deciding effects give.
 *
 * For each request the rules are read in order: any number of `latency` rules fire (the server
 * waits), then at most one rule decides the answer; rules after it are neither drawn nor used up.
 */
import * as z from '#contracts/zod';
import { createPrng } from '#mocks/framework/prng';
import { soapFaultAnswer } from '#mocks/framework/soap';
import { xroadRestError, type MockRequest, type MockResponse, type MockRoute, type RouteMatch } from '#mocks/framework/routes';

// ---------------------------------------------------------------------------------------------
// Rules as JSON

const httpStatus = () => z.int().check(z.gte(100), z.lte(599));

export const faultEffectSchema = z.discriminatedUnion('kind', [
  /** Wait before answering; other rules still apply after the wait. */
  z.object({ kind: z.literal('latency'), ms: z.int().check(z.nonnegative()) }),
  /** Answer with this status (and body, default a short text). */
  z.object({
    kind: z.literal('status'),
    status: httpStatus(),
    body: z.optional(z.string()),
    headers: z.optional(z.record(z.string(), z.string())),
  }),
  /** Accept the request and never answer, until the client gives up or the server closes. */
  z.object({ kind: z.literal('timeout') }),
  /** The system's own garbage: by default its normal answer cut in half; `body` overrides. */
  z.object({ kind: z.literal('malformed'), body: z.optional(z.string()) }),
  /** A SOAP 1.1 fault (or the system's own fault body through its `faultBody` hook). */
  z.object({
    kind: z.literal('soapFault'),
    faultcode: z.string().check(z.minLength(1)),
    faultstring: z.string(),
    status: z.optional(httpStatus()),
  }),
  /** A named variant the system supplies in `options.custom`, e.g. VTJ's `wrongPaluukoodi`. */
  z.object({
    kind: z.literal('custom'),
    name: z.string().check(z.minLength(1)),
    params: z.optional(z.record(z.string(), z.unknown())),
  }),
]);

/** A fault rule as JSON (what `POST /__faults` takes); `path` is a regular expression source. */
export const faultRuleSchema = z.strictObject({
  /** Optional label, echoed in `/__stats` and the request log. */
  id: z.optional(z.string()),
  /** Route name to match; omitted with `path` also omitted, the rule matches every request. */
  route: z.optional(z.string()),
  /** Regular expression source matched against the request path. */
  path: z.optional(z.string()),
  method: z.optional(z.string()),
  /** Fire on the next N matching requests, then stop. */
  times: z.optional(z.int().check(z.positive())),
  /** Fire with this probability per matching request, drawn from the server's seeded PRNG. */
  probability: z.optional(z.number().check(z.gte(0), z.lte(1))),
  effect: faultEffectSchema,
});

export const faultSettingsSchema = z.strictObject({
  rules: z.array(faultRuleSchema),
  /** Re-seed the PRNG that draws `probability`, so a run can be repeated from here. */
  seed: z.optional(z.int()),
  /** Add to the current rules instead of replacing them. */
  append: z.optional(z.boolean()),
});

export type FaultEffect = z.infer<typeof faultEffectSchema>;
export type FaultRuleJson = z.infer<typeof faultRuleSchema>;
/** A fault rule in the JS API: as JSON, but `path` may also be a RegExp. */
export type FaultRule = Omit<FaultRuleJson, 'path'> & { readonly path?: string | RegExp };

/** Whether a rule's `path` source compiles (the schema cannot tell). */
export function isValidRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Rules as they stand

/** A rule as it stands now: how many times it fired and how many firings remain. */
export interface ActiveFaultRule {
  readonly id: string | undefined;
  readonly route: string | undefined;
  readonly path: string | undefined;
  readonly method: string | undefined;
  readonly times: number | undefined;
  readonly probability: number | undefined;
  readonly effect: FaultEffect;
  readonly fired: number;
  readonly remaining: number | null;
}

export interface FaultController {
  /** Replace the rules; `seed` re-seeds the PRNG that draws probabilities. */
  set(rules: readonly FaultRule[], options?: { seed?: number }): void;
  add(rule: FaultRule): void;
  clear(): void;
  list(): ActiveFaultRule[];
  /** Re-seed the PRNG without touching the rules. */
  reseed(seed: number): void;
}

interface RuleState {
  readonly rule: FaultRule;
  readonly pathPattern: RegExp | undefined;
  fired: number;
}

/** The rules of one server, their firing counts and the PRNG that draws their probabilities. */
export class FaultState implements FaultController {
  private rules: RuleState[] = [];
  private random: () => number;

  constructor(seed: number) {
    this.random = createPrng(seed);
  }

  set(rules: readonly FaultRule[], options?: { seed?: number }): void {
    this.rules = rules.map((rule) => toState(rule));
    if (options?.seed !== undefined) this.reseed(options.seed);
  }

  add(rule: FaultRule): void {
    this.rules.push(toState(rule));
  }

  clear(): void {
    this.rules = [];
  }

  reseed(seed: number): void {
    this.random = createPrng(seed);
  }

  list(): ActiveFaultRule[] {
    return this.rules.map(({ rule, fired }) => ({
      id: rule.id,
      route: rule.route,
      path: rule.path instanceof RegExp ? rule.path.source : rule.path,
      method: rule.method,
      times: rule.times,
      probability: rule.probability,
      effect: rule.effect,
      fired,
      remaining: rule.times === undefined ? null : Math.max(0, rule.times - fired),
    }));
  }

  /**
   * The rules that fire for this request, in order: any number of latency rules, then at most one
   * rule that decides the answer; rules after that one are neither drawn nor used up. A
   * probability is drawn for each matching rule reached that still has firings left, so the
   * sequence of draws depends only on the seed and the sequence of requests.
   */
  firing(routeName: string | null, req: MockRequest): FaultRule[] {
    const fired: FaultRule[] = [];
    for (const state of this.rules) {
      const { rule } = state;
      if (rule.times !== undefined && state.fired >= rule.times) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== req.method) continue;
      if (rule.route !== undefined && rule.route !== routeName) continue;
      if (state.pathPattern) {
        state.pathPattern.lastIndex = 0;
        if (!state.pathPattern.test(req.path)) continue;
      }
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      state.fired += 1;
      fired.push(rule);
      if (rule.effect.kind !== 'latency') break;
    }
    return fired;
  }
}

function toState(rule: FaultRule): RuleState {
  const parsed = faultRuleSchema.parse({ ...rule, path: rule.path instanceof RegExp ? rule.path.source : rule.path });
  const pathPattern =
    rule.path instanceof RegExp
      ? new RegExp(rule.path.source, rule.path.flags.replace(/[gy]/g, ''))
      : parsed.path !== undefined
        ? new RegExp(parsed.path)
        : undefined;
  return { rule: { ...parsed, path: rule.path }, pathPattern, fired: 0 };
}

// ---------------------------------------------------------------------------------------------
// The answers of the deciding effects

/** What a system's custom fault variant receives besides the request. */
export interface CustomFaultContext<P> {
  readonly route: MockRoute<P>;
  readonly match: RegExpExecArray;
  readonly population: P;
  /** Free-form parameters from the fault rule's effect. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The answer the route would give without the fault, for variants that alter it. */
  normal(): Promise<MockResponse>;
}

export type CustomFault<P> = (req: MockRequest, ctx: CustomFaultContext<P>) => MockResponse | Promise<MockResponse>;

/** The system's own say in how its faults look (part of `MockServerOptions`). */
export interface FaultHooks<P> {
  /** System name for stats and default error bodies, e.g. `kelmu`. */
  readonly system: string;
  readonly population: P;
  /** Body of a `soapFault` effect; the default is a SOAP 1.1 fault envelope. */
  readonly faultBody?: (faultcode: string, faultstring: string) => MockResponse;
  /** The system's garbage for a `malformed` effect; the default cuts the normal answer in half. */
  readonly malformed?: (req: MockRequest, normal: MockResponse) => MockResponse;
  readonly custom?: Readonly<Record<string, CustomFault<P>>>;
}

/** An effect that decides the answer (not `latency`, which waits, nor `timeout`, which never answers). */
export type AnsweringEffect = Exclude<FaultEffect, { kind: 'latency' | 'timeout' }>;

/** The answer a deciding effect gives; `normal` is the route's answer without the fault. */
export async function faultAnswer<P>(
  effect: AnsweringEffect,
  req: MockRequest,
  found: RouteMatch<P> | undefined,
  normal: () => Promise<MockResponse>,
  hooks: FaultHooks<P>,
): Promise<MockResponse> {
  switch (effect.kind) {
    case 'status':
      return {
        status: effect.status,
        headers: { 'content-type': 'text/plain; charset=utf-8', ...effect.headers },
        body: effect.body ?? `${hooks.system} mock: injected status ${effect.status}`,
      };
    case 'malformed': {
      if (effect.body !== undefined) {
        return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: effect.body };
      }
      const answer = await normal();
      return hooks.malformed ? hooks.malformed(req, answer) : truncate(answer);
    }
    case 'soapFault': {
      const answer = hooks.faultBody
        ? hooks.faultBody(effect.faultcode, effect.faultstring)
        : soapFaultAnswer(effect.faultcode, effect.faultstring);
      return effect.status === undefined ? answer : { ...answer, status: effect.status };
    }
    case 'custom': {
      const variant = hooks.custom?.[effect.name];
      if (!variant || !found) {
        return xroadRestError(500, 'Server.InternalError', `${hooks.system} mock has no custom fault '${effect.name}' for this path`, '');
      }
      return variant(req, {
        route: found.route,
        match: found.match,
        population: hooks.population,
        params: effect.params ?? {},
        normal,
      });
    }
  }
}

/** The default `malformed` body: the normal answer cut in half (truncated XML or JSON). */
export function truncate(answer: MockResponse): MockResponse {
  const cut = Math.max(1, Math.floor(answer.body.length / 2));
  return { ...answer, body: answer.body.slice(0, cut) };
}
