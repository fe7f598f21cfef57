/** The wellbeing functions' configuration: the counties' endpoints and the pseudonym key, with errors that name the setting, never a value. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countyEndpoints, pseudonymKeyReader } from '#functions/wellbeing/config';

const pohjanmaa = {
  county: 'pohjanmaa',
  transport: { kind: 'x-road', service: { xRoadInstance: 'FI', memberClass: 'GOV', memberCode: '9000001-1', subsystemCode: 'fhir', serviceCode: 'fhir' }, fhirBasePath: '/R4' },
};

describe('the counties’ endpoints', () => {
  it('are none when the variable is unset, and the configured ones when it holds them', () => {
    expect(countyEndpoints(undefined)).toEqual([]);
    expect(countyEndpoints(JSON.stringify([pohjanmaa]))).toEqual([pohjanmaa]);
  });

  it('refuse text that is not JSON, an unknown county and a county twice, naming the variable and the field', () => {
    expect(() => countyEndpoints('{secret-looking')).toThrow(/KOTO_WELLBEING_COUNTIES is not JSON/);
    expect(() => countyEndpoints('{secret-looking')).not.toThrow(/secret-looking/);
    expect(() => countyEndpoints(JSON.stringify([{ ...pohjanmaa, county: 'atlantis' }]))).toThrow(/KOTO_WELLBEING_COUNTIES: 0\.county: must be a wellbeing services county id/);
    expect(() => countyEndpoints(JSON.stringify([pohjanmaa, pohjanmaa]))).toThrow(/each county at most once/);
  });

  it('take a county’s own rate limit, and refuse one of zero, naming the field', () => {
    expect(countyEndpoints(JSON.stringify([{ ...pohjanmaa, ratePerSecond: 2.5 }]))[0]?.ratePerSecond).toBe(2.5);
    expect(() => countyEndpoints(JSON.stringify([{ ...pohjanmaa, ratePerSecond: 0 }]))).toThrow(/KOTO_WELLBEING_COUNTIES: 0\.ratePerSecond: must be more than zero/);
  });
});

describe('the pseudonym key', () => {
  const file = (text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'koto-key-')), 'pseudonym.key');
    writeFileSync(path, text);
    return path;
  };
  const noSecret = () => Promise.reject(new Error('no secret reader in this test'));

  it('is read from the data folder’s file, hex', async () => {
    const key = await pseudonymKeyReader({ KOTO_PSEUDONYM_KEY_FILE: file('ab'.repeat(32)) }, noSecret)();
    expect(Buffer.from(key).toString('hex')).toBe('ab'.repeat(32));
  });

  it('is read from its secret in AWS', async () => {
    const key = await pseudonymKeyReader({ KOTO_PSEUDONYM_KEY_SECRET_ARN: 'arn:secret' }, async (id) => (id === 'arn:secret' ? 'k'.repeat(64) : ''))();
    expect(key.byteLength).toBe(64);
  });

  it('is refused when shorter than 32 bytes or configured nowhere', async () => {
    await expect(pseudonymKeyReader({ KOTO_PSEUDONYM_KEY_FILE: file('ab'.repeat(8)) }, noSecret)()).rejects.toThrow(/at least 32 bytes/);
    await expect(pseudonymKeyReader({}, noSecret)()).rejects.toThrow(/neither KOTO_PSEUDONYM_KEY_FILE nor KOTO_PSEUDONYM_KEY_SECRET_ARN/);
  });
});
