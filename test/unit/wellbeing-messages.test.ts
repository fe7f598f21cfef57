import { describe, expect, it } from 'vitest';
import { consultationRequestedV1, cooperationAcceptedV1, cooperationRequestedV1 } from '#contracts/messages/wellbeing';
import { subjectOf, parseEnvelope } from '#contracts/messages/registry';

const person = { personRef: 'asiakas-1', birthDate: '1988-03-14', gender: 'female', languages: ['ar'], interpreterRequired: true, needs: [], turvakielto: false };
const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (result.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('the county flow messages', () => {
  it("refuse an identity code in place of the municipality's own person reference, without quoting it", () => {
    const found = issues(consultationRequestedV1.safeParse({ people: [{ ...person, personRef: '140388-3127' }], plannedArrival: '2027-01' }));
    expect(found).toEqual(["people.0.personRef: must be the municipality's own reference, not a personal identity code"]);
    expect(found.join()).not.toContain('140388');
  });

  it('refuse a consultation naming a person twice, with no one, or with a planned arrival that is not a month', () => {
    expect(issues(consultationRequestedV1.safeParse({ people: [person, person], plannedArrival: '2027-01' }))).toEqual(['people: must name each personRef once']);
    expect(issues(consultationRequestedV1.safeParse({ people: [], plannedArrival: '2027-01' }))).toEqual(['people: must name at least one person']);
    expect(issues(consultationRequestedV1.safeParse({ people: [person], plannedArrival: '2027-13' }))).toEqual(['plannedArrival: must be a month YYYY-MM']);
  });

  it('need a way to reach the responsible person and the municipal official', () => {
    const accepted = { county: 'pohjanmaa', personRef: 'asiakas-1', acceptedAt: '2026-11-05T10:55:00+02:00', responsible: { name: 'Mikael Sosiaali' } };
    expect(issues(cooperationAcceptedV1.safeParse(accepted))).toEqual(['responsible.phone: must give a phone number or an e-mail address']);
    expect(cooperationAcceptedV1.safeParse({ ...accepted, responsible: { name: 'Mikael Sosiaali', email: 'm@pohjanmaa.example' } }).success).toBe(true);
    expect(issues(cooperationAcceptedV1.safeParse({ ...accepted, county: 'ahvenanmaa', responsible: { name: 'x', phone: '+358 6 218 0000' } }))).toEqual([
      'county: must be a wellbeing services county id, e.g. pohjanmaa',
    ]);
  });

  it('hash the shared customer of a cooperation request into the audit log, and no one of an anonymised consultation', () => {
    const cooperation = {
      purpose: 'service-needs-assessment',
      person: { personRef: 'asiakas-2', hetu: '231191-2774', lastName: 'Hassan', firstNames: 'Amina', turvakielto: false },
      contact: { name: 'Liisa Kotoutuja', email: 'liisa@vaasa.example' },
    };
    expect(cooperationRequestedV1.safeParse(cooperation).success).toBe(true);
    const envelope = (type: string, payload: unknown) => {
      const result = parseEnvelope({
        messageId: '5b0c8a53-2f0e-4d7a-9a51-0c6f3e2b9d11', correlationId: '0e7d3c42-8f5b-4b6e-a1d2-7c9e4f1a2b33', causationId: null,
        type, source: 'municipality:905', target: 'hub', municipality: '905', occurredAt: '2026-11-02T09:30:00+02:00', payload,
      });
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      return result.envelope;
    };
    expect(subjectOf(envelope('wellbeing.cooperation.requested.v1', cooperation))).toBe('231191-2774');
    expect(subjectOf(envelope('wellbeing.consultation.requested.v1', { people: [{ ...person, hetu: '140388-3127' }], plannedArrival: '2027-01' }))).toBeUndefined();
  });
});
