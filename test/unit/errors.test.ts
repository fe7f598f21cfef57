import { describe, expect, it } from 'vitest';
import { containsHetuShape, makeHetu } from '#contracts/hetu';
import { SchemaViolation } from '#contracts/messages/registry';
import { personV1 } from '#contracts/canonical/person';
import { PermanentError, TransientError, classifyError } from '#lib/errors';

const HETU = makeHetu('1972-08-09', 533);

/** An error shaped like one the AWS SDK v3 throws (a named ServiceException with metadata). */
const awsError = (name: string, extra: { $retryable?: unknown; $metadata?: { httpStatusCode?: number } }): Error =>
  Object.assign(new Error('the request could not be completed'), { name, ...extra });

describe('classifyError', () => {
  it('classifies a SchemaViolation as permanent schema-violation, naming the field paths', () => {
    const failure = classifyError(new SchemaViolation('outreach.referral.v1', [{ path: 'payload.hetu', message: 'invalid personal identity code' }]));
    expect(failure).toMatchObject({ kind: 'permanent', code: 'schema-violation' });
    expect(failure.reason).toContain('payload.hetu');
  });

  it('classifies a zod error thrown by a contract schema as permanent contract-violation, naming the paths and not the values', () => {
    let thrown: unknown;
    try {
      personV1.parse({ hetu: HETU, lastName: '', firstNames: 'Aino' });
    } catch (error) {
      thrown = error;
    }
    const failure = classifyError(thrown);
    expect(failure).toMatchObject({ kind: 'permanent', code: 'contract-violation' });
    expect(failure.reason).toMatch(/lastName, kotikunta, address/);
    expect(containsHetuShape(failure.reason)).toBe(false);
  });

  it('classifies a PermanentError as permanent with its own code and message', () => {
    expect(classifyError(new PermanentError('invalid-hetu', 'the code in the list is malformed'))).toEqual({
      kind: 'permanent',
      code: 'invalid-hetu',
      reason: 'the code in the list is malformed',
    });
  });

  it('classifies a TransientError as transient with its own code', () => {
    expect(classifyError(new TransientError('vtj-timeout', 'VTJ did not answer in time'))).toEqual({
      kind: 'transient',
      code: 'vtj-timeout',
      reason: 'VTJ did not answer in time',
    });
  });

  it('classifies an AWS SDK error marked $retryable as a transient error under its own name', () => {
    expect(classifyError(awsError('ProvisionedCapacityExceeded', { $retryable: { throttling: false } }))).toMatchObject({
      kind: 'transient',
      code: 'ProvisionedCapacityExceeded',
    });
  });

  it('classifies an AWS SDK error with HTTP status 503 as a transient error under its own name', () => {
    expect(classifyError(awsError('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } }))).toMatchObject({
      kind: 'transient',
      code: 'ServiceUnavailable',
    });
  });

  it('classifies an AWS SDK error with HTTP status 400 and no retry mark as unexpected', () => {
    expect(classifyError(awsError('ValidationException', { $metadata: { httpStatusCode: 400 } }))).toMatchObject({
      kind: 'transient',
      code: 'unexpected:ValidationException',
    });
  });

  it('classifies an unknown Error as transient with code unexpected:<name> and the name in the reason', () => {
    expect(classifyError(new RangeError('index out of range'))).toEqual({
      kind: 'transient',
      code: 'unexpected:RangeError',
      reason: 'RangeError: index out of range',
    });
  });

  it('classifies a thrown non-Error as transient unexpected without quoting it', () => {
    const failure = classifyError(`could not handle ${HETU}`);
    expect(failure).toEqual({ kind: 'transient', code: 'unexpected', reason: 'a non-Error value was thrown' });
  });

  it.each([
    ['PermanentError', new PermanentError('invalid-hetu', `bad code ${HETU}\nin row 7`)],
    ['TransientError', new TransientError('lookup', `lookup of\t${HETU} timed out\r\nretry`)],
    ['unknown Error', new Error(`cannot read ${HETU.toLowerCase()}\n    at handler (x.ts:1:1)`)],
    ['SchemaViolation', new SchemaViolation('outreach.referral.v1', [{ path: 'payload.hetu', message: `bad value ${HETU}\n` }])],
  ])('scrubs a HETU out of the reason of a %s and keeps the reason on one line', (_label, error) => {
    const { reason } = classifyError(error);
    expect(reason).not.toContain(HETU);
    expect(reason.toUpperCase()).not.toContain(HETU);
    expect(containsHetuShape(reason)).toBe(false);
    expect(reason).not.toMatch(/[\r\n\t]/);
    expect(reason).toContain('[hetu]');
  });

  it('cuts a long reason to 500 characters', () => {
    const { reason } = classifyError(new PermanentError('too-long', 'x'.repeat(2_000)));
    expect(reason).toHaveLength(500);
  });

  it('scrubs before it cuts, so a HETU across the 500th character leaves no part of itself behind', () => {
    const text = `${'y'.repeat(494)} ${HETU} tail`;
    const { reason } = classifyError(new PermanentError('boundary', text));
    expect(reason.length).toBeLessThanOrEqual(500);
    expect(reason).not.toContain(HETU.slice(0, 5));
    expect(reason.startsWith('y'.repeat(494))).toBe(true);
  });
});
