/**
 * Kelmu wire ⇄ canonical (pure, no I/O). The canonical row keeps the identity code exactly as Kela
 * gave it: validating it is the hub's job (a malformed code is quarantined as INVALID_HETU).
 */
import * as z from '#contracts/zod';
import type { KelmuEtuus, KelmuWirePage, KelmuWireRow } from './wire.ts';

export const kelmuBenefits = ['basic-social-assistance', 'child-home-care-allowance'] as const;
export type KelmuBenefit = (typeof kelmuBenefits)[number];

/** Canonical Kelmu list row: one person and one benefit. */
export const kelmuRowV1 = z.lazy(() =>
  z.object({
    hetu: z.string(),
    lastName: z.string().check(z.minLength(1)),
    firstNames: z.string().check(z.minLength(1)),
    benefit: z.enum(kelmuBenefits),
    /** Kela's flag: temporary basic social assistance does not make a person a target. */
    temporary: z.boolean(),
    from: z.iso.date(),
    to: z.nullable(z.iso.date()),
  }),
);
export type KelmuRow = z.infer<typeof kelmuRowV1>;

/**
 * What the outreach rules read of a Kelmu row (rule 2): the benefit, Kela's temporary flag and the
 * period. No code and no names: this, not the row, is what a candidate keeps of Kela's list and what
 * its lookup carries from register to register (docs/DESIGN.md "Personal data").
 */
export const kelaBenefitV1 = z.lazy(() =>
  z.object({
    benefit: z.enum(kelmuBenefits),
    temporary: z.boolean(),
    from: z.iso.date(),
    to: z.nullable(z.iso.date()),
  }),
);
export type KelaBenefit = z.infer<typeof kelaBenefitV1>;

/** The part of a row the rules read; a row's other fields are left behind. */
export const kelaBenefitOf = (row: KelaBenefit): KelaBenefit => ({ benefit: row.benefit, temporary: row.temporary, from: row.from, to: row.to });

/** One page, canonical. */
export interface KelmuPage {
  readonly municipality: string;
  readonly date: string;
  readonly page: number;
  readonly pages: number;
  readonly pageSize: number;
  readonly totalRows: number;
  readonly rows: KelmuRow[];
}

const benefitOf: Readonly<Record<KelmuEtuus, KelmuBenefit>> = {
  PERUSTOIMEENTULOTUKI: 'basic-social-assistance',
  KOTIHOIDONTUKI: 'child-home-care-allowance',
};

const etuusOf: Readonly<Record<KelmuBenefit, KelmuEtuus>> = {
  'basic-social-assistance': 'PERUSTOIMEENTULOTUKI',
  'child-home-care-allowance': 'KOTIHOIDONTUKI',
};

export const fromKelmuWireRow = (row: KelmuWireRow): KelmuRow => ({
  hetu: row.hetu,
  lastName: row.sukunimi,
  firstNames: row.etunimet,
  benefit: benefitOf[row.etuus],
  temporary: row.tilapainen,
  from: row.alkupvm,
  to: row.loppupvm,
});

export const toKelmuWireRow = (row: KelmuRow): KelmuWireRow => ({
  hetu: row.hetu,
  sukunimi: row.lastName,
  etunimet: row.firstNames,
  etuus: etuusOf[row.benefit],
  tilapainen: row.temporary,
  alkupvm: row.from,
  loppupvm: row.to,
});

export const fromKelmuWirePage = (page: KelmuWirePage): KelmuPage => ({
  municipality: page.kunta,
  date: page.paiva,
  page: page.sivu,
  pages: page.sivuja,
  pageSize: page.sivukoko,
  totalRows: page.rivejaYhteensa,
  rows: page.rivit.map(fromKelmuWireRow),
});

/**
 * One page of a whole list, 1-based: `sivuja` is ceil(total / size) (0 for an empty list), and a
 * page past the last holds no rows. The caller sorts the list; the mock sorts by hetu.
 */
export function toKelmuWirePage(
  list: readonly KelmuRow[],
  request: { municipality: string; date: string; page: number; pageSize: number },
): KelmuWirePage {
  const start = (request.page - 1) * request.pageSize;
  return {
    kunta: request.municipality,
    paiva: request.date,
    sivu: request.page,
    sivuja: Math.ceil(list.length / request.pageSize),
    sivukoko: request.pageSize,
    rivejaYhteensa: list.length,
    rivit: list.slice(start, start + request.pageSize).map(toKelmuWireRow),
  };
}
