/**
 * Personal data must never reach a log line, a metric or an error text. These helpers are the last
 * line of defence: code should not try to log personal data in the first place, and the tests
 * check that the redaction markers below never appear.
 */

import { containsHetuShape, scrubHetus } from '#contracts/hetu';

export const REDACTED_HETU = '[hetu]';
export const REDACTED = '[redacted]';

/** Keys whose values are personal data whatever they hold. */
const PERSONAL_KEYS = new Set(
  [
    'hetu',
    'henkilotunnus',
    'ssn',
    'lastname',
    'firstnames',
    'firstname',
    'name',
    'names',
    'sukunimi',
    'etunimet',
    'address',
    'street',
    'streetaddress',
    'lahiosoite',
    'postalcode',
    'postoffice',
    'phone',
    'email',
    'payload',
  ].map((k) => k.toLowerCase()),
);

export const isPersonalKey = (key: string): boolean => PERSONAL_KEYS.has(key.toLowerCase());

/** Masks every HETU-shaped token (loose on purpose: a malformed code is personal data too). */
export const scrubText = (text: string): string => scrubHetus(text, REDACTED_HETU);

export const containsHetuLike = containsHetuShape;

/** Nesting below which a value is not looked into, and so not logged at all. */
const MAX_DEPTH = 8;

/** A deep copy with personal keys redacted and HETU-shaped strings masked. */
export const scrubValue = (value: unknown, depth = 0): unknown => {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return REDACTED;
  if (value instanceof Error) {
    // Own properties of an Error skip its message and stack; its name is a class name, not a person's.
    const { cause } = value as Error & { cause?: unknown };
    return {
      name: value.name,
      message: scrubText(value.message),
      ...(value.stack ? { stack: scrubText(value.stack) } : {}),
      ...(cause === undefined ? {} : { cause: scrubValue(cause, depth + 1) }),
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = isPersonalKey(key) ? REDACTED : scrubValue(v, depth + 1);
  return out;
};
