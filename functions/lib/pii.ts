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

/** A deep copy with personal keys redacted and HETU-shaped strings masked. */
export const scrubValue = (value: unknown, depth = 0): unknown => {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = isPersonalKey(key) ? REDACTED : scrubValue(v, depth + 1);
  return out;
};
