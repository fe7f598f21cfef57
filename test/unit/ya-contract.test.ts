/** YA's wire format (defined by koto-hub): the claim document and YA's four answers, against ya.xsd. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import { groupClaims, type ClaimV1 } from '#contracts/claims/claim';
import type { CostRowV1 } from '#contracts/claims/cost-rows';
import { buildClaimXml, buildSupplementXml, buildYaAnswerXml, readClaimXml, readSupplementXml, readYaAnswerXml, YaContractError, YA_NS } from '#contracts/ya/mapper';
import { yaAnswerV1, type YaAnswerV1 } from '#contracts/ya/answers';
import { XmlRejected } from '#contracts/xroad/xml';
import { validateAgainstXsd } from '../support/xsd-subset.ts';

const YA_DIR = join(import.meta.dirname, '..', '..', 'contracts', 'ya');
const XSD = readFileSync(join(YA_DIR, 'ya.xsd'), 'utf8');
const HETU = makeHetu('1988-07-21', 904);
const OTHER = makeHetu('2009-03-15', 912);

const row = (voucher: string, overrides: Partial<CostRowV1> = {}): CostRowV1 => ({
  voucher,
  hetu: HETU,
  compensationType: 'SPECIAL_COSTS',
  from: '2026-09-01',
  to: '2026-09-30',
  amountCents: 128450,
  ...overrides,
});

const claim = (): ClaimV1 => {
  const [first] = groupClaims('905', '0209602-6', [row('TOS-2'), row('TOS-1', { hetu: OTHER, amountCents: 8990, from: '2026-07-03', to: '2026-07-03' })]);
  return first!;
};

const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

const head = () => ({ claimNumber: claim().claimNumber, caseId: 'KEHA/1234/2026' });
const answers = (): YaAnswerV1[] => [
  { kind: 'received', ...head(), receivedOn: '2026-11-17' },
  {
    kind: 'supplement-requested',
    ...head(),
    requestId: 'TP-77',
    requestedOn: '2026-12-01',
    dueOn: '2026-12-31',
    questions: [
      { voucher: 'TOS-1', text: 'Liittäkää tulkkauksen lasku & tilaus <pdf>.' },
      { voucher: null, text: 'Selvitys kustannusten perusteista.' },
    ],
  },
  {
    kind: 'decided',
    ...head(),
    decidedOn: '2027-02-15',
    rows: [
      { voucher: 'TOS-1', outcome: 'accepted', claimedCents: 8990, acceptedCents: 8990, reason: null },
      { voucher: 'TOS-2', outcome: 'partly', claimedCents: 128450, acceptedCents: 100000, reason: 'Osa kustannuksista ei ole erityiskustannuksia.' },
    ],
    acceptedCents: 108990,
  },
  { kind: 'paid', ...head(), paidOn: '2027-03-01', amountCents: 108990, reference: 'RF25202600127', iban: 'FI2112345600000785' },
];

describe('the claim document (hub → YA)', () => {
  it('writes the claim with integer cents, the business ID and the half-year, and validates against ya.xsd', () => {
    const xml = buildClaimXml(claim());
    expect(validateAgainstXsd(XSD, xml)).toEqual([]);
    expect(xml).toContain(`xmlns:ya="${YA_NS}"`);
    expect(xml).toContain('<ya:Ytunnus>0209602-6</ya:Ytunnus>');
    expect(xml).toContain('<ya:Korvauslaji>ERITYISKUSTANNUKSET</ya:Korvauslaji>');
    expect(xml).toContain('<ya:AlkuPvm>2026-07-01</ya:AlkuPvm>');
    expect(xml).toContain('<ya:YhteensaSentteina>137440</ya:YhteensaSentteina>');
    expect([...xml.matchAll(/<ya:\w*Sentteina>([^<]*)</g)].map((m) => m[1])).toEqual(['8990', '128450', '137440']);
  });

  it('round-trips: what the YA mock reads is the claim the hub sent', () => {
    expect(readClaimXml(buildClaimXml(claim()))).toEqual(claim());
  });

  it('leaves the HETU out of a preparedness row, and the document still validates', () => {
    const [preparedness] = groupClaims('905', '0209602-6', [row('V-1', { hetu: null, compensationType: 'PREPAREDNESS' })]);
    const xml = buildClaimXml(preparedness!);
    expect(xml).not.toContain('Henkilotunnus');
    expect(validateAgainstXsd(XSD, xml)).toEqual([]);
    expect(readClaimXml(xml)).toEqual(preparedness);
  });

  it('refuses a claim whose total is not the sum of its rows, or holds a float of cents', () => {
    const wrongTotal = { ...claim(), totalCents: claim().totalCents + 1 };
    expect(errorOf(() => buildClaimXml(wrongTotal)).message).toContain('totalCents');
    const float = { ...claim(), rows: claim().rows.map((r, i) => (i === 0 ? { ...r, amountCents: 8990.5 } : r)), totalCents: 137440.5 };
    expect(errorOf(() => buildClaimXml(float))).toBeInstanceOf(YaContractError);
  });
});

describe("YA's answers (YA → hub)", () => {
  it.each(answers().map((a) => [a.kind, a] as const))('round-trips %s, and its document validates against ya.xsd', (_, answer) => {
    const xml = buildYaAnswerXml(answer);
    expect(validateAgainstXsd(XSD, xml)).toEqual([]);
    expect(readYaAnswerXml(xml)).toEqual(answer);
  });

  it('reads a payment reference and IBAN written in groups, as banks print them', () => {
    const xml = buildYaAnswerXml(answers()[3]!).replace('RF25202600127', 'rf25 2026 0012 7').replace('FI2112345600000785', 'FI21 1234 5600 0007 85');
    expect(readYaAnswerXml(xml)).toMatchObject({ reference: 'RF25202600127', iban: 'FI2112345600000785' });
    expect(readYaAnswerXml(buildYaAnswerXml({ ...(answers()[3] as Extract<YaAnswerV1, { kind: 'paid' }>), reference: '202600127' }))).toMatchObject({ reference: '202600127' });
  });

  it.each([
    ['a reference with a wrong check digit', 'RF25202600127', 'RF25202600128', 'reference'],
    ['a national reference with a wrong check digit', 'RF25202600127', '202600128', 'reference'],
    ['an IBAN with wrong check digits', 'FI2112345600000785', 'FI2112345600000786', 'iban'],
    ['a foreign IBAN', 'FI2112345600000785', 'SE4550000000058398257466', 'iban'],
  ])('refuses a payment with %s, naming the field and not the value', (_, from, to, field) => {
    const xml = buildYaAnswerXml(answers()[3]!).replace(from, to);
    const error = errorOf(() => readYaAnswerXml(xml));
    expect(error).toBeInstanceOf(YaContractError);
    expect(error.message).toContain(field);
    expect(error.message).not.toContain(to);
  });

  it('refuses a decision whose total is not the sum of its rows, or whose row does not fit its outcome', () => {
    const decided = answers()[2]!;
    expect(errorOf(() => readYaAnswerXml(buildYaAnswerXml(decided).replace('<ya:HyvaksyttyYhteensaSentteina>108990', '<ya:HyvaksyttyYhteensaSentteina>108991'))).message).toContain(
      'acceptedCents',
    );
    expect(errorOf(() => readYaAnswerXml(buildYaAnswerXml(decided).replace('<ya:Ratkaisu>OSITTAIN', '<ya:Ratkaisu>HYVAKSYTTY'))).message).toContain('rows.1.acceptedCents');
  });

  it('refuses amounts that are not integer cents: a decimal on the wire, a float in the canonical answer', () => {
    const paid = buildYaAnswerXml(answers()[3]!).replace('<ya:SummaSentteina>108990', '<ya:SummaSentteina>1089.90');
    expect(errorOf(() => readYaAnswerXml(paid)).message).toContain('amountCents');
    expect(yaAnswerV1.safeParse({ ...answers()[3]!, amountCents: 0.1 + 0.2 }).success).toBe(false);
  });

  it('refuses a document in another namespace, an unknown answer, and a DOCTYPE', () => {
    const received = buildYaAnswerXml(answers()[0]!);
    expect(errorOf(() => readYaAnswerXml(received.replace(YA_NS, 'urn:other')))).toBeInstanceOf(YaContractError);
    expect(errorOf(() => readYaAnswerXml(received.replaceAll('Vastaanottoilmoitus', 'Muistutus')))).toBeInstanceOf(YaContractError);
    expect(errorOf(() => readYaAnswerXml(received.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]>')))).toBeInstanceOf(XmlRejected);
  });
});

describe('ya.xsd and its samples', () => {
  it('every sample in contracts/ya/samples validates, and reads as its contract says', () => {
    const samples = readdirSync(join(YA_DIR, 'samples')).filter((f) => f.endsWith('.xml'));
    expect(samples.length).toBeGreaterThanOrEqual(5);
    for (const file of samples) {
      const xml = readFileSync(join(YA_DIR, 'samples', file), 'utf8');
      expect(validateAgainstXsd(XSD, xml), file).toEqual([]);
      if (file.startsWith('korvaushakemus')) expect(() => readClaimXml(xml)).not.toThrow();
      else expect(() => readYaAnswerXml(xml)).not.toThrow();
    }
  });

  it('the validator the tests use finds what breaks the schema (so a pass means something)', () => {
    const xml = buildClaimXml(claim());
    expect(validateAgainstXsd(XSD, xml.replace('<ya:YhteensaSentteina>137440', '<ya:YhteensaSentteina>1374.40'))).toEqual([
      '/Korvaushakemus/YhteensaSentteina[1]: not an xs:nonNegativeInteger',
      '/Korvaushakemus/YhteensaSentteina[1]: does not match the pattern of ya:Sentit',
    ]);
    expect(validateAgainstXsd(XSD, xml.replace('ERITYISKUSTANNUKSET', 'MUU'))).toEqual(['/Korvaushakemus/Korvauslaji[1]: not one of the values of ya:Korvauslaji']);
    expect(validateAgainstXsd(XSD, xml.replace(/<ya:Hakija>[\s\S]*?<\/ya:Hakija>/, ''))).toEqual(['/Korvaushakemus: lacks Hakija']);
    expect(validateAgainstXsd(XSD, xml.replace('<ya:Tosite>TOS-1</ya:Tosite>', '<ya:Tosite>TOS-1</ya:Tosite><ya:Tosite>X</ya:Tosite>'))).toEqual([
      '/Korvaushakemus/Rivit[1]/Rivi[1]: has Tosite 2 times, at most 1',
    ]);
    expect(validateAgainstXsd(XSD, xml.replace('<ya:YhteensaSentteina>', '<ya:Huomautus>x</ya:Huomautus><ya:YhteensaSentteina>'))).toEqual([
      '/Korvaushakemus: lacks YhteensaSentteina',
      '/Korvaushakemus: Huomautus is not expected there',
      '/Korvaushakemus: YhteensaSentteina is not expected there',
    ]);
  });
});

describe('the answer to a supplement request (Taydennys, hub → YA)', () => {
  const answer = {
    claimNumber: 'KH-905-2026H2-14b1e0a9cc',
    caseId: 'KEHA/1234/2026',
    requestId: 'TP-2027-0042',
    answeredOn: '2027-01-27',
    answers: [
      { voucher: 'TOS-2026-118802', text: 'Erittely: 8 tuntia <à> 80 € & matkat' },
      { voucher: null, text: 'Kustannukset eivät sisälly laskennalliseen korvaukseen.' },
    ],
  };

  it('validates against ya.xsd, escapes its text and reads back the same', () => {
    const xml = buildSupplementXml(answer);
    expect(validateAgainstXsd(XSD, xml)).toEqual([]);
    expect(xml).toContain('&lt;à&gt; 80 € &amp; matkat');
    expect(readSupplementXml(xml)).toEqual(answer);
  });

  it('refuses an answer with no answers, naming the field and not the text', () => {
    expect(() => buildSupplementXml({ ...answer, answers: [] })).toThrow(YaContractError);
    expect(() => buildSupplementXml({ ...answer, answers: [] })).toThrow(/answers/);
    expect(() => readSupplementXml(buildClaimXml(claim()))).toThrow(YaContractError);
  });
});
