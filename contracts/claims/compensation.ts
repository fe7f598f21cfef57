/**
 * Compensation types and their periods, as data (docs/DESIGN.md "Compensation rules"): chapter 8 of
 * the Act on the Promotion of Integration (681/2023) has the state compensate municipalities and
 * wellbeing services counties for some costs of integration; KEHA's YA service takes the claims.
 * Each period cites its source; where the source is the law before 681/2023 it says so, and an
 * administrator changes this table when KEHA's instructions differ.
 */

export const compensationTypes = [
  /** Calculated compensation (laskennallinen korvaus) for a person missing from the monthly payment list. */
  'CALCULATED_MISSING',
  /** Special costs (erityiskustannukset), § 65. */
  'SPECIAL_COSTS',
  /** Services and support of victims of trafficking, § 68; Finnish citizens too. */
  'TRAFFICKING_VICTIM',
  /** Unaccompanied minors, § 69. */
  'UNACCOMPANIED_MINOR',
  /** Interpretation. */
  'INTERPRETATION',
  /** Supplementary and preventive social assistance (wellbeing services counties). */
  'SOCIAL_ASSISTANCE',
  /** Preparedness for reception, § 64: concerns no person. */
  'PREPAREDNESS',
] as const;
export type CompensationType = (typeof compensationTypes)[number];

/**
 * How long a type is compensated. `years-from-first-home-municipality`: up to the day before the
 * same date `years` later, counted from the person's first home municipality in Finland;
 * `until-age`: up to the day before the person turns `age`; `none`: no period.
 */
export type CompensationPeriod =
  | { readonly kind: 'years-from-first-home-municipality'; readonly years: number; readonly quotaRefugeeYears?: number; readonly source: string }
  | { readonly kind: 'until-age'; readonly age: number; readonly source: string }
  | { readonly kind: 'none'; readonly source: string };

export const COMPENSATION_PERIODS: Readonly<Record<CompensationType, CompensationPeriod>> = {
  CALCULATED_MISSING: {
    kind: 'years-from-first-home-municipality',
    years: 2,
    quotaRefugeeYears: 3,
    source: '681/2023 as amended 2024: 3 years for quota refugees, 2 years for other persons within compensation',
  },
  SOCIAL_ASSISTANCE: { kind: 'years-from-first-home-municipality', years: 1, source: 'HE 192/2024: supplementary and preventive social assistance, 1 year' },
  SPECIAL_COSTS: { kind: 'years-from-first-home-municipality', years: 10, source: 'the law before 681/2023: special costs up to 10 years' },
  UNACCOMPANIED_MINOR: { kind: 'until-age', age: 23, source: 'HE 21/2024: until the day before the person turns 23' },
  INTERPRETATION: { kind: 'none', source: '681/2023 ch. 8: interpretation has no period' },
  TRAFFICKING_VICTIM: { kind: 'none', source: '681/2023 § 68: services and support of victims of trafficking have no period' },
  PREPAREDNESS: { kind: 'none', source: '681/2023 § 64: preparedness concerns no person' },
};

/**
 * Why a row is refused, in the order the rules apply (the first that applies is the verdict).
 * `docs/DESIGN.md` "Compensation rules" is normative for them.
 */
export const refusalReasons = [
  'INVALID_HETU',
  'NOT_IN_UMA',
  'NOT_WITHIN_COMPENSATION',
  'FINNISH_CITIZEN',
  'PERIOD_ENDED',
  'DEADLINE_PASSED',
  'DUPLICATE_ROW',
] as const;
export type RefusalReason = (typeof refusalReasons)[number];

/** Only `PREPAREDNESS` rows concern no person; every other row names one. */
export const typeConcernsPerson = (type: CompensationType): boolean => type !== 'PREPAREDNESS';
