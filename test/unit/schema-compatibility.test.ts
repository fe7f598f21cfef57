/**
 * The compatibility check of published versions (infra/published/compatibility.ts), fed variants of
 * the hub's real schemas: a change that breaks a sender of an inbound type or a receiver of an
 * outbound type is reported naming the field; a compatible one passes.
 */
import { describe, expect, it } from 'vitest';
import * as z from '#contracts/zod';
import { envelopeSchema } from '#contracts/envelope';
import { referralV1 } from '#contracts/messages/referral';
import { breakingChanges, schemaChanges } from '#infra/published/compatibility';
import { publishedSchema, toPublishedJsonSchema, type JsonSchema } from '#infra/published/json-schemas';

const referral = publishedSchema('outreach.referral.v1');
const listReady = publishedSchema('outreach.list.ready.v1');
const decision = publishedSchema('outreach.decision.v1');

/** A deep copy to break on purpose. */
const copy = (schema: JsonSchema): any => structuredClone(schema); // eslint-disable-line @typescript-eslint/no-explicit-any

/** The referral envelope generated from its zod schema changed by `change`, as the generator would write it. */
const referralWith = (change: (payload: typeof referralV1) => z.ZodMiniType): JsonSchema =>
  toPublishedJsonSchema(z.extend(envelopeSchema, { type: z.literal('outreach.referral.v1'), payload: change(referralV1) }), 'outreach.referral.v1', 'input');

describe('an inbound type (the hub receives it: its senders must not break)', () => {
  it('is unchanged against itself', () => {
    expect(breakingChanges(referral, publishedSchema('outreach.referral.v1'), 'inbound')).toEqual([]);
    expect(breakingChanges(referral, referralWith((p) => p), 'inbound')).toEqual([]);
  });

  it('breaks on a new required field, naming it', () => {
    const current = referralWith((p) => z.extend(p, { caseNumber: z.string() }));
    expect(breakingChanges(referral, current, 'inbound')).toEqual(['payload.caseNumber: new required field (breaks the senders)']);
  });

  it('takes a new optional field', () => {
    const current = referralWith((p) => z.extend(p, { caseNumber: z.optional(z.string()) }));
    expect(breakingChanges(referral, current, 'inbound')).toEqual([]);
    expect(schemaChanges(referral, current)).toEqual([{ path: 'payload.caseNumber', kind: 'added-optional', detail: 'new optional field' }]);
  });

  it('breaks on a renamed field: the old name is gone', () => {
    const current = copy(referral);
    current.properties.payload.properties.referralDate = current.properties.payload.properties.referredOn;
    delete current.properties.payload.properties.referredOn;
    current.properties.payload.required = current.properties.payload.required.map((f: string) => (f === 'referredOn' ? 'referralDate' : f));
    expect(breakingChanges(referral, current, 'inbound')).toEqual([
      'payload.referredOn: field removed (or renamed) (breaks the senders)',
      'payload.referralDate: new required field (breaks the senders)',
    ]);
  });

  it('breaks on a narrowed enum or a tightened pattern, and takes a widened enum', () => {
    const narrowed = copy(referral);
    const reasons: string[] = narrowed.properties.payload.properties.reason.enum;
    narrowed.properties.payload.properties.reason.enum = reasons.slice(1);
    narrowed.properties.payload.properties.referrer.properties.authority.pattern = '^[a-z]{2,60}$';
    expect(breakingChanges(referral, narrowed, 'inbound')).toEqual([
      'payload.referrer.authority: pattern changed from "^[a-z0-9:-]{2,60}$" to "^[a-z]{2,60}$" (breaks the senders)',
      `payload.reason: value ${JSON.stringify(reasons[0])} no longer accepted (breaks the senders)`,
    ]);
    const widened = copy(referral);
    widened.properties.payload.properties.reason.enum = [...reasons, 'SOMETHING_NEW'];
    expect(breakingChanges(referral, widened, 'inbound')).toEqual([]);
  });

  it('breaks when an optional field is made required, or null is no longer accepted', () => {
    const current = copy(referral);
    current.properties.causationId = current.properties.causationId.anyOf[0];
    expect(breakingChanges(referral, current, 'inbound')).toEqual(['causationId: null no longer accepted (breaks the senders)']);
  });
});

describe('an outbound type (the hub sends it: its receivers must not break)', () => {
  it('breaks on a removed field, even an optional one', () => {
    const current = copy(listReady);
    delete current.properties.payload.properties.location;
    current.properties.payload.required = current.properties.payload.required.filter((f: string) => f !== 'location');
    expect(breakingChanges(listReady, current, 'outbound')).toEqual(['payload.location: field removed (or renamed) (breaks the receivers)']);
  });

  it('breaks on a field made optional, and on a new enum value a receiver does not know', () => {
    const current = copy(listReady);
    current.properties.payload.required = current.properties.payload.required.filter((f: string) => f !== 'targets');
    current.properties.payload.properties.exclusions.propertyNames.enum.push('MOVED_ABROAD');
    expect(breakingChanges(listReady, current, 'outbound')).toEqual([
      'payload.targets: made optional (breaks the receivers)',
      'payload.exclusions(keys): value "MOVED_ABROAD" added (breaks the receivers)',
    ]);
  });

  it('breaks on a new variant of a union, naming it', () => {
    const current = copy(decision);
    const branches: JsonSchema[] = current.properties.payload.properties.decision.oneOf;
    branches.push({ type: 'object', properties: { kind: { type: 'string', const: 'deferred' } }, required: ['kind'] });
    expect(breakingChanges(decision, current, 'outbound')).toEqual(['payload.decision: variant kind=deferred added (breaks the receivers)']);
  });

  it('names the field inside a union branch', () => {
    const current = copy(decision);
    const target = current.properties.payload.properties.decision.oneOf[0].properties.target;
    delete target.properties.postOffice;
    target.required = target.required.filter((f: string) => f !== 'postOffice');
    expect(breakingChanges(decision, current, 'outbound')).toEqual(['payload.decision(kind=target).target.postOffice: field removed (or renamed) (breaks the receivers)']);
  });

  it('takes a new optional field, a new required field and a tightened bound', () => {
    const current = copy(listReady);
    current.properties.payload.properties.note = { type: 'string' };
    current.properties.payload.properties.runLabel = { type: 'string' };
    current.properties.payload.required.push('runLabel');
    current.properties.payload.properties.location.minLength = 5;
    expect(breakingChanges(listReady, current, 'outbound')).toEqual([]);
    // The same changes to an inbound type would break its senders.
    expect(breakingChanges(listReady, current, 'inbound')).toEqual([
      'payload.location: minLength tightened from 1 to 5 (breaks the senders)',
      'payload.runLabel: new required field (breaks the senders)',
    ]);
  });
});
