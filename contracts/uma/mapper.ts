/**
 * UMA: wire <-> canonical (`residenceV1`, `protectionRecipientPageV1`). Pure, no I/O.
 *
 * - `firstPermitDate` is `EnsimmainenOleskeluoikeusPvm` (Migri's own record of the first permit,
 *   residence card or registration), or the earliest `Myontamispvm` when that is missing.
 * - `permitType` and `ground` are those of the permit in force: the one granted last.
 * - A person UMA does not know is `found: false` with every other field empty.
 */
import {
  notFoundResidence,
  residenceV1,
  protectionRecipientPageV1,
  type FamilyRelation,
  type ProtectionRecipientPageV1,
  type ResidenceGroundV1,
  type ResidenceV1,
} from '#contracts/canonical/residence';
import { UmaContractError, type UmaListResponse, type UmaOleskelulupa, type UmaPersonResponse, umaPerusteet, umaSuhteet } from '#contracts/uma/wire';

type Peruste = (typeof umaPerusteet)[number];

export const PERUSTE_TO_GROUND: Readonly<Record<Peruste, ResidenceGroundV1>> = {
  KANSAINVALINEN_SUOJELU: 'international-protection',
  HUMANITAARINEN_SUOJELU: 'humanitarian-protection',
  TILAPAINEN_SUOJELU: 'temporary-protection',
  PERHESIDE: 'family',
  TYO: 'work',
  OPISKELU: 'study',
  EU_REKISTEROINTI: 'eu-registration',
  MUU: 'other',
};

export const GROUND_TO_PERUSTE: Readonly<Record<ResidenceGroundV1, Peruste>> = Object.fromEntries(
  Object.entries(PERUSTE_TO_GROUND).map(([peruste, ground]) => [ground, peruste]),
) as Record<ResidenceGroundV1, Peruste>;

type Suhde = (typeof umaSuhteet)[number];

export const SUHDE_TO_RELATION: Readonly<Record<Suhde, FamilyRelation>> = { PUOLISO: 'spouse', LAPSI: 'child', VANHEMPI: 'parent' };
const RELATION_TO_SUHDE: Readonly<Record<FamilyRelation, Suhde>> = { spouse: 'PUOLISO', child: 'LAPSI', parent: 'VANHEMPI' };

const describe = (error: { issues: readonly { path: readonly PropertyKey[] }[] }): string =>
  [...new Set(error.issues.map((issue) => issue.path.map(String).join('.') || '(root)'))].join(', ');

/** The permit in force: granted last (the later in the list wins a tie). */
const currentPermit = (permits: readonly UmaOleskelulupa[]): UmaOleskelulupa | undefined =>
  permits.reduce<UmaOleskelulupa | undefined>((latest, permit) => (!latest || permit.Myontamispvm >= latest.Myontamispvm ? permit : latest), undefined);

export function mapUmaPerson(answer: UmaPersonResponse): ResidenceV1 {
  const found = answer.Tulos === 'LOYTYI';
  const current = found ? currentPermit(answer.Oleskeluluvat) : undefined;
  const earliest = answer.Oleskeluluvat.map((p) => p.Myontamispvm).sort()[0] ?? null;
  const residence: ResidenceV1 = found
    ? {
        hetu: answer.Henkilotunnus,
        found: true,
        firstPermitDate: answer.EnsimmainenOleskeluoikeusPvm ?? earliest,
        permitType: current?.Lupatyyppi ?? null,
        ground: current ? PERUSTE_TO_GROUND[current.Peruste] : null,
        quotaRefugee: answer.Kiintiopakolainen,
        traffickingVictim: answer.IhmiskaupanUhri,
        compensation: { eligible: answer.Korvattavuus.Korvattava, until: answer.Korvattavuus.KorvattavaAsti },
        permits: [...answer.Oleskeluluvat]
          .sort((a, b) => (a.Myontamispvm < b.Myontamispvm ? -1 : a.Myontamispvm > b.Myontamispvm ? 1 : 0))
          .map((lupa) => ({
            permitType: lupa.Lupatyyppi,
            ground: PERUSTE_TO_GROUND[lupa.Peruste],
            grantedOn: lupa.Myontamispvm,
            from: lupa.AlkuPvm ?? lupa.Myontamispvm,
            until: lupa.LoppuPvm,
          })),
        firstHomeMunicipality: answer.EnsimmainenKotikunta && { code: answer.EnsimmainenKotikunta.Kuntakoodi, since: answer.EnsimmainenKotikunta.AlkuPvm },
        finnishCitizenSince: answer.SuomenKansalaisuusPvm,
        traffickingVictimPeriod: answer.IhmiskaupanUhriJakso && { from: answer.IhmiskaupanUhriJakso.AlkuPvm, until: answer.IhmiskaupanUhriJakso.LoppuPvm },
        familyLinks: answer.Perhesiteet.map((side) => ({ hetu: side.Henkilotunnus, relation: SUHDE_TO_RELATION[side.Suhde] })),
      }
    : notFoundResidence(answer.Henkilotunnus);
  const parsed = residenceV1.safeParse(residence);
  if (!parsed.success) throw new UmaContractError('schema', `UMA answer does not map to a canonical residence (fields: ${describe(parsed.error)})`);
  return parsed.data;
}

export function mapUmaList(page: UmaListResponse): ProtectionRecipientPageV1 {
  const mapped = {
    municipality: page.Kuntakoodi,
    page: page.Sivu,
    pageSize: page.SivunKoko,
    total: page.Yhteensa,
    hasMore: page.Sivu * page.SivunKoko < page.Yhteensa,
    recipients: page.Henkilot.map((h) => ({
      hetu: h.Henkilotunnus,
      ground: PERUSTE_TO_GROUND[h.Peruste],
      quotaRefugee: h.Kiintiopakolainen,
      traffickingVictim: h.IhmiskaupanUhri,
      firstPermitDate: h.EnsimmainenOleskeluoikeusPvm,
    })),
  };
  const parsed = protectionRecipientPageV1.safeParse(mapped);
  if (!parsed.success) throw new UmaContractError('schema', `UMA list page does not map to the canonical page (fields: ${describe(parsed.error)})`);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Canonical -> wire (the mock's direction, and round-trip tests)

/** Default Aliens Act section written for a ground (illustrative; Migri records the actual one). */
export const DEFAULT_LAINKOHTA: Readonly<Record<ResidenceGroundV1, string>> = {
  'international-protection': '87 §',
  'humanitarian-protection': '88 a §',
  'temporary-protection': '109 §',
  family: '47 §',
  work: '73 §',
  study: '78 §',
  'eu-registration': '159 §',
  other: '52 §',
};

/**
 * A person-query answer for a canonical residence, as of `asOf`: its permits, or, when it lists
 * none, one permit granted on the first permit date, of the given type and ground.
 */
export function toUmaPersonResponse(residence: ResidenceV1, asOf: string, options: { lainkohta?: string } = {}): UmaPersonResponse {
  if (!residence.found) {
    return {
      Tulos: 'EI_LOYTYNYT',
      Henkilotunnus: residence.hetu,
      Tilannepaiva: asOf,
      EnsimmainenOleskeluoikeusPvm: null,
      Kiintiopakolainen: false,
      IhmiskaupanUhri: false,
      Oleskeluluvat: [],
      Korvattavuus: { Korvattava: false, KorvattavaAsti: null },
      EnsimmainenKotikunta: null,
      SuomenKansalaisuusPvm: null,
      IhmiskaupanUhriJakso: null,
      Perhesiteet: [],
    };
  }
  const lainkohta = (ground: ResidenceGroundV1): string => options.lainkohta ?? (residence.quotaRefugee && ground === 'international-protection' ? '93 §' : DEFAULT_LAINKOHTA[ground]);
  const permits: UmaOleskelulupa[] =
    residence.permits.length > 0
      ? residence.permits.map((permit) => ({
          Lupatyyppi: permit.permitType,
          Lainkohta: lainkohta(permit.ground),
          Peruste: GROUND_TO_PERUSTE[permit.ground],
          Myontamispvm: permit.grantedOn,
          AlkuPvm: permit.from,
          LoppuPvm: permit.until,
        }))
      : residence.firstPermitDate && residence.permitType && residence.ground
      ? [
          {
            Lupatyyppi: residence.permitType,
            Lainkohta: lainkohta(residence.ground),
            Peruste: GROUND_TO_PERUSTE[residence.ground],
            Myontamispvm: residence.firstPermitDate,
            AlkuPvm: residence.firstPermitDate,
            LoppuPvm: null,
          },
        ]
      : [];
  return {
    Tulos: 'LOYTYI',
    Henkilotunnus: residence.hetu,
    Tilannepaiva: asOf,
    EnsimmainenOleskeluoikeusPvm: residence.firstPermitDate,
    Kiintiopakolainen: residence.quotaRefugee,
    IhmiskaupanUhri: residence.traffickingVictim,
    Oleskeluluvat: permits,
    Korvattavuus: { Korvattava: residence.compensation.eligible, KorvattavaAsti: residence.compensation.until },
    EnsimmainenKotikunta: residence.firstHomeMunicipality && { Kuntakoodi: residence.firstHomeMunicipality.code, AlkuPvm: residence.firstHomeMunicipality.since },
    SuomenKansalaisuusPvm: residence.finnishCitizenSince,
    IhmiskaupanUhriJakso: residence.traffickingVictimPeriod && { AlkuPvm: residence.traffickingVictimPeriod.from, LoppuPvm: residence.traffickingVictimPeriod.until },
    Perhesiteet: residence.familyLinks.map((link) => ({ Henkilotunnus: link.hetu, Suhde: RELATION_TO_SUHDE[link.relation] })),
  };
}
