/**
 * YA (KEHA's general e-service system): the claim document and YA's answers — a wire format
 * DEFINED BY KOTO-HUB, as YA publishes no machine interface (README.md here; the schema is
 * ya.xsd). Canonical claim → XML, built with fast-xml-parser's XMLBuilder (which escapes text);
 * YA's XML → canonical answers, read with the hub's hardened parser (contracts/xroad/xml.ts:
 * no DOCTYPE, no entities beyond the five, size and depth limits) and checked against
 * contracts/ya/answers.ts. Element names are Finnish, as KEHA's forms name things.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { CompensationType } from '#contracts/claims/compensation';
import { claimPeriodDays, claimV1, type ClaimV1 } from '#contracts/claims/claim';
import { childElement, childElements, parseXml, textAt, type XmlElement, type XmlParseOptions } from '#contracts/xroad/xml';
import { issueText } from '#contracts/issues';
import { supplementAnswerV1, yaAnswerV1, type RowOutcome, type SupplementAnswerV1, type YaAnswerV1 } from '#contracts/ya/answers';
import type * as z from '#contracts/zod';

export const YA_NS = 'urn:fi:koto-hub:ya:1';

/** Compensation types as YA's document names them (korvauslaji). */
export const KORVAUSLAJI: Readonly<Record<CompensationType, string>> = {
  CALCULATED_MISSING: 'LASKENNALLINEN_PUUTTUVA',
  SPECIAL_COSTS: 'ERITYISKUSTANNUKSET',
  TRAFFICKING_VICTIM: 'IHMISKAUPAN_UHRI',
  UNACCOMPANIED_MINOR: 'ILMAN_HUOLTAJAA',
  INTERPRETATION: 'TULKITSEMINEN',
  SOCIAL_ASSISTANCE: 'TOIMEENTULOTUKI',
  PREPAREDNESS: 'VALMIUS',
};

/** Row outcomes of a decision (ratkaisu): accepted, partly accepted, rejected. */
export const RATKAISU: Readonly<Record<RowOutcome, string>> = { accepted: 'HYVAKSYTTY', partly: 'OSITTAIN', rejected: 'HYLATTY' };
const OUTCOME_OF = Object.fromEntries(Object.entries(RATKAISU).map(([outcome, code]) => [code, outcome])) as Record<string, RowOutcome>;

/** A YA document that does not fit the contract; names fields, never values. Permanent. */
export class YaContractError extends Error {
  override readonly name = 'YaContractError';
  readonly transient = false;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', suppressEmptyNode: true });
const DECLARATION = { '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' } };

type Tree = { [name: string]: string | Tree | Tree[] | string[] | undefined };
const ya = (tree: Record<string, unknown>): Tree =>
  Object.fromEntries(Object.entries(tree).map(([name, value]) => [name.startsWith('@_') ? name : `ya:${name}`, value])) as Tree;
const document = (root: string, content: Record<string, unknown>): string =>
  builder.build({ ...DECLARATION, [`ya:${root}`]: { '@_xmlns:ya': YA_NS, ...ya(content) } }) as string;

const validate = <S extends z.ZodMiniType>(schema: S, what: string, value: unknown): z.infer<S> => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new YaContractError(`${what} does not fit the YA contract: ${issueText(parsed.error)}`);
  return parsed.data;
};

// ---------------------------------------------------------------------------------------------
// The claim (hub → YA)

/** The claim document `Korvaushakemus`; throws `YaContractError` for a claim that breaks its contract. */
export function buildClaimXml(claim: ClaimV1): string {
  const c = validate(claimV1, 'Korvaushakemus', claim);
  const period = claimPeriodDays(c);
  return document('Korvaushakemus', {
    Hakemusnumero: c.claimNumber,
    Hakija: ya({ Kuntakoodi: c.municipality, Ytunnus: c.businessId }),
    Korvauslaji: KORVAUSLAJI[c.compensationType],
    Kausi: ya({ AlkuPvm: period.from, LoppuPvm: period.to }),
    Rivit: ya({
      Rivi: c.rows.map((row) =>
        ya({
          Tosite: row.voucher,
          Henkilotunnus: row.hetu ?? undefined,
          AlkuPvm: row.from,
          LoppuPvm: row.to,
          SummaSentteina: String(row.amountCents),
        }),
      ),
    }),
    YhteensaSentteina: String(c.totalCents),
  });
}

// ---------------------------------------------------------------------------------------------
// YA's answers (YA → hub), and the other way for the YA mock and the round-trip tests

/** YA's answer document as XML (what the YA mock sends). */
export function buildYaAnswerXml(answer: YaAnswerV1): string {
  const a = validate(yaAnswerV1, 'YA answer', answer);
  const head = { Hakemusnumero: a.claimNumber, Asianumero: a.caseId };
  switch (a.kind) {
    case 'received':
      return document('Vastaanottoilmoitus', { ...head, VastaanotettuPvm: a.receivedOn });
    case 'supplement-requested':
      return document('Taydennyspyynto', {
        ...head,
        PyyntoTunnus: a.requestId,
        PyydettyPvm: a.requestedOn,
        VastattavaPvm: a.dueOn,
        Kysymykset: ya({ Kysymys: a.questions.map((q) => ya({ Tosite: q.voucher ?? undefined, Teksti: q.text })) }),
      });
    case 'decided':
      return document('Korvauspaatos', {
        ...head,
        PaatosPvm: a.decidedOn,
        Rivit: ya({
          Rivi: a.rows.map((row) =>
            ya({
              Tosite: row.voucher,
              Ratkaisu: RATKAISU[row.outcome],
              HaettuSentteina: String(row.claimedCents),
              HyvaksyttySentteina: String(row.acceptedCents),
              Perustelu: row.reason ?? undefined,
            }),
          ),
        }),
        HyvaksyttyYhteensaSentteina: String(a.acceptedCents),
      });
    case 'paid':
      return document('Maksuilmoitus', { ...head, MaksuPvm: a.paidOn, SummaSentteina: String(a.amountCents), Viite: a.reference, Tilinumero: a.iban });
  }
}

/** Cents as YA writes them: digits only. Anything else goes on as text, for the schema to refuse. */
const toCents = (value: string | undefined): unknown => (value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : value);
const orNull = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);

const readers: Readonly<Record<string, (e: XmlElement) => unknown>> = {
  Vastaanottoilmoitus: (e) => ({ kind: 'received', receivedOn: textAt(e, 'VastaanotettuPvm') }),
  Taydennyspyynto: (e) => ({
    kind: 'supplement-requested',
    requestId: textAt(e, 'PyyntoTunnus'),
    requestedOn: textAt(e, 'PyydettyPvm'),
    dueOn: textAt(e, 'VastattavaPvm'),
    questions: childElements(childElement(e, 'Kysymykset'), 'Kysymys').map((q) => ({ voucher: orNull(textAt(q, 'Tosite')), text: textAt(q, 'Teksti') })),
  }),
  Korvauspaatos: (e) => ({
    kind: 'decided',
    decidedOn: textAt(e, 'PaatosPvm'),
    rows: childElements(childElement(e, 'Rivit'), 'Rivi').map((row) => ({
      voucher: textAt(row, 'Tosite'),
      outcome: OUTCOME_OF[textAt(row, 'Ratkaisu') ?? ''] ?? textAt(row, 'Ratkaisu'),
      claimedCents: toCents(textAt(row, 'HaettuSentteina')),
      acceptedCents: toCents(textAt(row, 'HyvaksyttySentteina')),
      reason: orNull(textAt(row, 'Perustelu')),
    })),
    acceptedCents: toCents(textAt(e, 'HyvaksyttyYhteensaSentteina')),
  }),
  Maksuilmoitus: (e) => ({
    kind: 'paid',
    paidOn: textAt(e, 'MaksuPvm'),
    amountCents: toCents(textAt(e, 'SummaSentteina')),
    reference: textAt(e, 'Viite'),
    iban: textAt(e, 'Tilinumero'),
  }),
};

/**
 * One of YA's answers as canonical. Throws `XmlRejected` for a document that is not safe,
 * well-formed XML and `YaContractError` for one that breaks the contract (the message names
 * fields, never values).
 */
export function readYaAnswerXml(xml: string | Uint8Array, options?: XmlParseOptions): YaAnswerV1 {
  const root = parseXml(xml, options);
  if (root.namespace !== YA_NS) throw new YaContractError(`YA answer is not in the namespace ${YA_NS}`);
  const read = readers[root.name];
  if (!read) throw new YaContractError(`YA answer has an unknown root element; expected one of ${Object.keys(readers).join(', ')}`);
  return validate(yaAnswerV1, root.name, { claimNumber: textAt(root, 'Hakemusnumero'), caseId: textAt(root, 'Asianumero'), ...(read(root) as object) });
}

/** The claim document back as canonical (the YA mock reads what the hub sends). */
export function readClaimXml(xml: string | Uint8Array, options?: XmlParseOptions): ClaimV1 {
  const root = parseXml(xml, options);
  if (root.namespace !== YA_NS || root.name !== 'Korvaushakemus') throw new YaContractError(`the document is not a Korvaushakemus in the namespace ${YA_NS}`);
  const laji = textAt(root, 'Korvauslaji');
  const type = (Object.entries(KORVAUSLAJI).find(([, code]) => code === laji)?.[0] ?? laji) as CompensationType;
  return validate(claimV1, 'Korvaushakemus', {
    claimNumber: textAt(root, 'Hakemusnumero'),
    municipality: textAt(root, 'Hakija', 'Kuntakoodi'),
    businessId: textAt(root, 'Hakija', 'Ytunnus'),
    compensationType: type,
    period: periodOf(textAt(root, 'Kausi', 'AlkuPvm'), textAt(root, 'Kausi', 'LoppuPvm')),
    rows: childElements(childElement(root, 'Rivit'), 'Rivi').map((row) => ({
      voucher: textAt(row, 'Tosite'),
      hetu: orNull(textAt(row, 'Henkilotunnus')),
      compensationType: type,
      from: textAt(row, 'AlkuPvm'),
      to: textAt(row, 'LoppuPvm'),
      amountCents: toCents(textAt(row, 'SummaSentteina')),
    })),
    totalCents: toCents(textAt(root, 'YhteensaSentteina')),
  });
}

/** `2026-07-01`–`2026-12-31` is `2026H2`; any other pair is left for the schema to refuse. */
const periodOf = (from: string | undefined, to: string | undefined): string | undefined => {
  const year = from?.slice(0, 4);
  if (from === `${year}-01-01` && to === `${year}-06-30`) return `${year}H1`;
  if (from === `${year}-07-01` && to === `${year}-12-31`) return `${year}H2`;
  return `${from}..${to}`;
};

// ---------------------------------------------------------------------------------------------
// The answer to a supplement request (hub → YA)

/** The document `Taydennys`; throws `YaContractError` for an answer that breaks its contract. */
export function buildSupplementXml(answer: SupplementAnswerV1): string {
  const a = validate(supplementAnswerV1, 'Taydennys', answer);
  return document('Taydennys', {
    Hakemusnumero: a.claimNumber,
    Asianumero: a.caseId,
    PyyntoTunnus: a.requestId,
    VastattuPvm: a.answeredOn,
    Vastaukset: ya({ Vastaus: a.answers.map((v) => ya({ Tosite: v.voucher ?? undefined, Teksti: v.text })) }),
  });
}

/** `Taydennys` back as canonical (the YA mock reads what the hub sends). */
export function readSupplementXml(xml: string | Uint8Array, options?: XmlParseOptions): SupplementAnswerV1 {
  const root = parseXml(xml, options);
  if (root.namespace !== YA_NS || root.name !== 'Taydennys') throw new YaContractError(`the document is not a Taydennys in the namespace ${YA_NS}`);
  return validate(supplementAnswerV1, 'Taydennys', {
    claimNumber: textAt(root, 'Hakemusnumero'),
    caseId: textAt(root, 'Asianumero'),
    requestId: textAt(root, 'PyyntoTunnus'),
    answeredOn: textAt(root, 'VastattuPvm'),
    answers: childElements(childElement(root, 'Vastaukset'), 'Vastaus').map((v) => ({ voucher: orNull(textAt(v, 'Tosite')), text: textAt(v, 'Teksti') })),
  });
}
