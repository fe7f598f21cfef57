import { describe, expect, it } from 'vitest';
import * as z from '#contracts/zod';
import {
  ABROAD,
  HOME_MUNICIPALITY_SPECIAL_CODES,
  HOME_MUNICIPALITY_UNKNOWN,
  MERGED_MUNICIPALITIES,
  MUNICIPALITIES,
  NO_HOME_MUNICIPALITY_IN_FINLAND,
  homeMunicipalityCodeSchema,
  isHomeMunicipalityCode,
  isMunicipalityCode,
  municipalityByCode,
  municipalityCodeSchema,
} from '#contracts/municipalities';

const codes = MUNICIPALITIES.map((m) => m.code);

const issueMessage = (schema: z.ZodMiniType, value: unknown): string | undefined => {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
};

describe('the municipality list', () => {
  it('has the 308 municipalities of the 2026 classification', () => {
    expect(MUNICIPALITIES).toHaveLength(308);
  });

  it('has unique three-digit codes, in code order', () => {
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^\d{3}$/);
    expect(codes).toEqual([...codes].sort());
  });

  it('has unique, non-empty Finnish and Swedish names', () => {
    expect(new Set(MUNICIPALITIES.map((m) => m.nameFi)).size).toBe(308);
    for (const m of MUNICIPALITIES) {
      expect(m.nameFi.trim()).toBe(m.nameFi);
      expect(m.nameSv.trim()).toBe(m.nameSv);
      expect(m.nameSv.length).toBeGreaterThan(0);
      expect(m.kind).toBe('municipality');
    }
  });

  it('includes the 16 municipalities of Åland', () => {
    const aland = ['035', '043', '060', '062', '065', '076', '170', '295', '318', '417', '438', '478', '736', '766', '771', '941'];
    for (const code of aland) expect(isMunicipalityCode(code), code).toBe(true);
    expect(municipalityByCode('478')).toMatchObject({ nameFi: 'Maarianhamina', nameSv: 'Mariehamn' });
  });

  it.each([
    ['005', 'Alajärvi'],
    ['020', 'Akaa'],
    ['049', 'Espoo'],
    ['091', 'Helsinki'],
    ['092', 'Vantaa'],
    ['109', 'Hämeenlinna'],
    ['167', 'Joensuu'],
    ['179', 'Jyväskylä'],
    ['297', 'Kuopio'],
    ['398', 'Lahti'],
    ['564', 'Oulu'],
    ['609', 'Pori'],
    ['638', 'Porvoo'],
    ['837', 'Tampere'],
    ['853', 'Turku'],
    ['905', 'Vaasa'],
  ])('knows %s is %s', (code, nameFi) => {
    expect(municipalityByCode(code)?.nameFi).toBe(nameFi);
  });

  it.each([
    ['091', 'Helsingfors'],
    ['049', 'Esbo'],
    ['092', 'Vanda'],
    ['853', 'Åbo'],
    ['905', 'Vasa'],
    ['638', 'Borgå'],
    ['837', 'Tammerfors'],
  ])('gives %s its Swedish name %s', (code, nameSv) => {
    expect(municipalityByCode(code)?.nameSv).toBe(nameSv);
  });

  it('gives the Finnish name as the Swedish one where there is no separate Swedish name', () => {
    expect(municipalityByCode('179')).toMatchObject({ nameFi: 'Jyväskylä', nameSv: 'Jyväskylä' });
    expect(municipalityByCode('297')).toMatchObject({ nameFi: 'Kuopio', nameSv: 'Kuopio' });
  });

  it('reflects the 2026 merger of Pertunmaa into Mäntyharju', () => {
    expect(isMunicipalityCode('588')).toBe(false);
    expect(isMunicipalityCode('507')).toBe(true);
    expect(MUNICIPALITIES.some((m) => m.nameFi === 'Pertunmaa')).toBe(false);
  });

  it('lists only merged codes that are no longer in use, merged into current municipalities', () => {
    for (const [code, merged] of Object.entries(MERGED_MUNICIPALITIES)) {
      expect(isMunicipalityCode(code)).toBe(false);
      expect(isMunicipalityCode(merged.into)).toBe(true);
    }
  });
});

describe('home municipality values that are not municipalities', () => {
  it('treats 200 as abroad, not as a municipality', () => {
    expect(ABROAD).toBe('200');
    expect(municipalityByCode(ABROAD)).toMatchObject({ nameFi: 'Ulkomaat', nameSv: 'Utlandet', kind: 'special' });
    expect(isMunicipalityCode(ABROAD)).toBe(false);
    expect(isHomeMunicipalityCode(ABROAD)).toBe(true);
  });

  it('treats 198 (no home municipality in Finland) and 199 (unknown) the same way', () => {
    for (const code of [NO_HOME_MUNICIPALITY_IN_FINLAND, HOME_MUNICIPALITY_UNKNOWN]) {
      expect(municipalityByCode(code)?.kind).toBe('special');
      expect(isMunicipalityCode(code)).toBe(false);
      expect(isHomeMunicipalityCode(code)).toBe(true);
    }
    expect(municipalityByCode('198')?.nameFi).toBe('Ei kotikuntaa Suomessa');
    expect(HOME_MUNICIPALITY_SPECIAL_CODES.map((m) => m.code)).toEqual(['198', '199', '200']);
  });
});

describe('municipalityCodeSchema', () => {
  it('accepts a current municipality code', () => {
    expect(municipalityCodeSchema.parse('091')).toBe('091');
    expect(z.object({ municipality: municipalityCodeSchema }).parse({ municipality: '005' })).toEqual({ municipality: '005' });
  });

  it('rejects an unknown code and says so, quoting it', () => {
    const message = issueMessage(municipalityCodeSchema, '123');
    expect(message).toContain("'123'");
    expect(message).toMatch(/unknown municipality code/);
  });

  it('rejects abroad (200) as a municipality, naming it', () => {
    expect(issueMessage(municipalityCodeSchema, '200')).toMatch(/'200' \(Ulkomaat\).*not a municipality/);
  });

  it('tells where a merged municipality went', () => {
    expect(issueMessage(municipalityCodeSchema, '588')).toMatch(/'588' \(Pertunmaa\).*'507' \(Mäntyharju\).*2026-01-01/);
  });

  it.each([['91'], ['0091'], ['Helsinki'], [' 091'], ['131052-308T']])(
    'rejects %j as not three digits, without quoting what might be some other data',
    (value) => {
      // The same fixed text whatever the value: nothing of it is quoted.
      expect(issueMessage(municipalityCodeSchema, value)).toBe(
        "a municipality code is three digits with leading zeros, e.g. '091'",
      );
    },
  );

  it('rejects a number: codes are strings so that leading zeros survive', () => {
    expect(municipalityCodeSchema.safeParse(91).success).toBe(false);
  });
});

describe('homeMunicipalityCodeSchema', () => {
  it('accepts municipalities and the special values 198, 199 and 200', () => {
    for (const code of ['091', '905', '198', '199', '200']) expect(homeMunicipalityCodeSchema.parse(code)).toBe(code);
  });

  it('rejects an unknown code with a clear message', () => {
    expect(issueMessage(homeMunicipalityCodeSchema, '999')).toBe("unknown municipality code '999': not a current Finnish municipality");
  });
});
