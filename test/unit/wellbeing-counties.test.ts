import { describe, expect, it } from 'vitest';
import { MUNICIPALITIES } from '#contracts/municipalities';
import {
  ALAND_MUNICIPALITIES,
  COUNTY_IDS,
  WELLBEING_CLASSIFICATION,
  WELLBEING_COUNTIES,
  countyById,
  countyOf,
  countySystemName,
  municipalitiesWithoutCounty,
} from '#contracts/wellbeing/counties';
import { answerDueAt, countyEndpointV1, countyEndpointsV1 } from '#contracts/wellbeing/endpoint';
import { systemName } from '#contracts/envelope';

const servedBy = (code: string) => WELLBEING_COUNTIES.filter((c) => c.municipalities.includes(code)).map((c) => c.id);

describe('the wellbeing services counties', () => {
  it('are 21 counties and the city of Helsinki, which organises its own services', () => {
    expect(WELLBEING_COUNTIES.filter((c) => c.kind === 'county')).toHaveLength(21);
    expect(WELLBEING_COUNTIES.filter((c) => c.kind === 'city').map((c) => c.id)).toEqual(['helsinki']);
    expect(new Set(COUNTY_IDS).size).toBe(22);
  });

  it('name their source classification and year', () => {
    expect(WELLBEING_CLASSIFICATION).toMatchObject({ year: 2026 });
    expect(WELLBEING_CLASSIFICATION.source).toMatch(/Statistics Finland.*hyvinvointialue/);
  });

  it('serve every current mainland municipality exactly once', () => {
    for (const { code } of MUNICIPALITIES) {
      expect(servedBy(code), code).toHaveLength(ALAND_MUNICIPALITIES.includes(code) ? 0 : 1);
    }
    expect(WELLBEING_COUNTIES.reduce((n, c) => n + c.municipalities.length, 0)).toBe(MUNICIPALITIES.length - 16);
  });

  it('leave only the 16 municipalities of Åland without a county', () => {
    expect([...municipalitiesWithoutCounty()].sort()).toEqual([...ALAND_MUNICIPALITIES].sort());
    expect(ALAND_MUNICIPALITIES).toHaveLength(16);
  });

  it('hold only current municipality codes, each a county has at least one of', () => {
    const current = new Set(MUNICIPALITIES.map((m) => m.code));
    for (const county of WELLBEING_COUNTIES) {
      expect(county.municipalities.length, county.id).toBeGreaterThan(0);
      for (const code of county.municipalities) expect(current.has(code), `${county.id} ${code}`).toBe(true);
    }
  });

  it.each([
    ['905', 'pohjanmaa'],
    ['091', 'helsinki'],
    ['837', 'pirkanmaa'],
    ['049', 'lansi-uusimaa'],
    ['092', 'vantaa-kerava'],
    ['245', 'vantaa-kerava'],
    ['638', 'ita-uusimaa'],
    ['106', 'keski-uusimaa'],
    ['853', 'varsinais-suomi'],
    ['564', 'pohjois-pohjanmaa'],
    ['698', 'lappi'],
    ['205', 'kainuu'],
    ['272', 'keski-pohjanmaa'],
    // The region changes of 2021
    ['152', 'etela-pohjanmaa'],
    ['291', 'pirkanmaa'],
    ['090', 'pohjois-karjala'],
    ['171', 'etela-savo'],
    ['142', 'kymenlaakso'],
    // Pertunmaa joined Mäntyharju on 2026-01-01
    ['507', 'etela-savo'],
  ])('route %s to %s', (code, county) => {
    expect(countyOf(code)).toMatchObject({ ok: true, county: { id: county } });
  });

  it('refuse an Åland municipality with a reason that says why', () => {
    const route = countyOf('478');
    expect(route).toMatchObject({ ok: false, reason: 'aland' });
    expect(!route.ok && route.message).toMatch(/Maarianhamina.*Åland.*no wellbeing services county/);
  });

  it('refuse a code that is not a current municipality', () => {
    expect(countyOf('588')).toMatchObject({ ok: false, reason: 'unknown-municipality' });
    expect(countyOf('abc')).toMatchObject({ ok: false, reason: 'unknown-municipality' });
  });

  it('are envelope system names', () => {
    for (const id of COUNTY_IDS) expect(systemName.safeParse(countySystemName(id)).success, id).toBe(true);
    expect(countyById('pohjanmaa')?.nameSv).toBe('Österbottens välfärdsområde');
  });
});

describe('a county endpoint (configuration)', () => {
  const xroad = {
    county: 'pohjanmaa',
    transport: {
      kind: 'x-road',
      service: { xRoadInstance: 'FI-TEST', memberClass: 'GOV', memberCode: '3221351-6', subsystemCode: 'asiakastieto', serviceCode: 'fhir' },
      fhirBasePath: '/R4',
    },
  };

  it('is reached over X-Road or directly over mutual TLS', () => {
    expect(countyEndpointV1.safeParse(xroad).success).toBe(true);
    const direct = { county: 'helsinki', transport: { kind: 'direct', fhirBaseUrl: 'https://fhir.example.fi/r4', authentication: 'mutual-tls' } };
    expect(countyEndpointV1.safeParse(direct).success).toBe(true);
  });

  it('refuses plain http (to any host: the mocks speak TLS too), an unknown county and a county named twice, naming the field', () => {
    for (const fhirBaseUrl of ['http://fhir.example.fi', 'http://127.0.0.1:8080/fhir']) {
      const plain = countyEndpointV1.safeParse({ county: 'pohjanmaa', transport: { kind: 'direct', fhirBaseUrl, authentication: 'mutual-tls' } });
      expect(plain.success).toBe(false);
      expect(plain.error?.issues[0]?.path).toEqual(['transport', 'fhirBaseUrl']);
    }
    const unknown = countyEndpointV1.safeParse({ ...xroad, county: 'ahvenanmaa' });
    expect(unknown.error?.issues[0]?.path).toEqual(['county']);
    expect(countyEndpointsV1.safeParse([xroad, xroad]).success).toBe(false);
  });
});

describe("a request's deadline", () => {
  it("is the county's own number of days for the kind, or the hub's default", () => {
    expect(answerDueAt('consultation', '2026-11-02T09:00:00+02:00')).toBe('2026-11-30T07:00:00.000Z');
    expect(answerDueAt('cooperation', '2026-11-02T09:00:00+02:00')).toBe('2026-11-16T07:00:00.000Z');
    expect(answerDueAt('cooperation', '2026-11-02T09:00:00+02:00', { answerWithinDays: { cooperation: 7 } })).toBe('2026-11-09T07:00:00.000Z');
    expect(answerDueAt('consultation', '2026-11-02T09:00:00+02:00', { answerWithinDays: { cooperation: 7 } })).toBe('2026-11-30T07:00:00.000Z');
  });

  it('refuses a request time that is not a timestamp', () => {
    expect(() => answerDueAt('consultation', 'yesterday')).toThrow(/requestedAt must be an ISO-8601 timestamp/);
  });
});
