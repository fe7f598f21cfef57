/**
 * VTJ change interface (VTJmutpa, muutostietopalvelu) — REST/JSON over X-Road (public; see
 * README.md). A client follows a list of personal identity codes:
 *
 *   GET  /r1/{instance}/GOV/0245437-2/VTJmutpa/api/v1/kirjausavain/{YYYY-MM-DD}
 *        -> {"viimeisinKirjausavain": 100000021}          the key to start reading from that day
 *   POST /r1/{instance}/GOV/0245437-2/VTJmutpa/api/v1/muutokset
 *        {"viimeisinKirjausavain": 100000021, "hetulista": ["…", …]}
 *        -> {"viimeisinKirjausavain": 100000042, "ajanTasalla": false, "muutokset": [
 *              {"muutospv": "2026-03-02T10:00:00.000Z", "henkilotunnus": "…",
 *               "tietoryhmat": [{"tietoryhma": "KOTIKUNTA", "muutosattribuutti": "LISATTY",
 *                                "kuntakoodi": "905", "kuntaanMuuttopv": {"arvo": "2026-03-01", "tarkkuus": "PAIVA"}}]}]}
 *
 * The answer's key is the next one to ask with; `ajanTasalla` (up to date) false means more
 * changes are waiting. The hub keeps the key in DynamoDB so no change is read twice or missed.
 *
 * Readers ignore fields and data groups they do not know, so DVV may add them. Dates are objects
 * `{arvo, tarkkuus}` with precision PAIVA (day), KUUKAUSI (month) or VUOSI (year).
 * `muutosattribuutti` says what happened to the group: LISATTY (added), MUUTETTU (changed),
 * POISTETTU (removed; `voimassaolevatTiedot` then lists the groups in force after the removal),
 * KORJATTAVA (the value being corrected: what VTJ had, no longer true) and KORJATTU (the value as
 * corrected), LISATIETO (not a change: context for another group).
 *
 * ## Events for a municipality M (`mapVtjChanges`)
 *
 * The hub reads the feed for the persons on M's follow list, and maps each change record to at
 * most one move event and at most one `person.changed`. A record is read for the state it leaves
 * in force: a LISATTY, MUUTETTU or KORJATTU group, and the `voimassaolevatTiedot` of a POISTETTU
 * one. A KORJATTAVA group only says which value was withdrawn: a withdrawn death is not a death,
 * and a withdrawn move puts the person back where VTJ now says they live.
 * - `person.moved-in`: the home municipality in force after a KOTIKUNTA change is M, and it is
 *   not the one the change withdrew or corrected (a corrected move date is no move).
 *   `movedOn` is `kuntaanMuuttopv`.
 * - `person.moved-out`: otherwise, when the home municipality in force after a KOTIKUNTA change is
 *   another municipality (including `200`, abroad), or an EDELLINEN_KOTIKUNTA (previous home
 *   municipality) group for M in force has an end date, or the KOTIKUNTA group for M was removed. `newMunicipality` is the new home municipality when the record names it;
 *   `movedOn` is the first day outside M (`kuntaanMuuttopv` of the new one, or the day after
 *   `kunnastaPoisMuuttopv`). Since the follow list may hold people who never lived in M, a consumer
 *   ignores a moved-out for someone it does not know.
 * - `person.changed`: TURVAKIELTO (with its state in force), KUOLINPAIVA (with the date of death in
 *   force: null when the death was withdrawn),
 *   HENKILOTUNNUS_KORJAUS (with the code now in use), VAKINAINEN_KOTIMAINEN_OSOITE (address
 *   changed; only when no move event was emitted, a move always comes with a new address), and
 *   home municipality history edits that made no move event (`kotikunta`). The event says that
 *   the address changed, never what it is: consumers ask VTJ again, which honours turvakielto.
 * Groups marked LISATIETO and groups the hub does not know make no event.
 */
import * as z from '#contracts/zod';
import { personChangeEventV1, type PersonChangeEventV1, type PersonChangeKind } from '#contracts/canonical/person';
import type { XRoadServiceId } from '#contracts/xroad/soap';
import { VtjContractError } from '#contracts/vtj/wire';
import { issueText } from '#contracts/issues';

/** X-Road REST service of the change interface; the paths below are relative to it. */
export const VTJ_MUTPA_SERVICE = {
  memberClass: 'GOV',
  memberCode: '0245437-2',
  subsystemCode: 'VTJmutpa',
  serviceCode: 'api',
} as const;
export const vtjMutpaServiceId = (xRoadInstance: string): XRoadServiceId => ({ xRoadInstance, ...VTJ_MUTPA_SERVICE });
export const VTJ_MUTPA_KIRJAUSAVAIN_PATH = (date: string): string[] => ['v1', 'kirjausavain', date];
export const VTJ_MUTPA_MUUTOKSET_PATH: readonly string[] = ['v1', 'muutokset'];

/** How many codes the hub puts in one `hetulista`. */
export const VTJ_MUTPA_BATCH = 500;

export const muutosattribuutit = ['LISATTY', 'MUUTETTU', 'POISTETTU', 'KORJATTAVA', 'KORJATTU', 'LISATIETO'] as const;

// ---------------------------------------------------------------------------------------------
// Schemas

/** The key as a number; VTJ writes it as a JSON number, some clients as a string of digits. */
export const kirjausavain = z.lazy(() =>
  z.pipe(
    z.union([z.number(), z.pipe(z.string().check(z.regex(/^\d{1,15}$/, 'must be digits')), z.transform((digits: string) => Number(digits)))]),
    z.number().check(z.int('must be an integer'), z.nonnegative('must be 0 or more'), z.lte(Number.MAX_SAFE_INTEGER)),
  ),
);

export const vtjMutpaDate = z.lazy(() =>
  z.looseObject({
    arvo: z.string().check(z.regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'must be YYYY, YYYY-MM or YYYY-MM-DD')),
    /** PAIVA, KUUKAUSI or VUOSI. */
    tarkkuus: z.string(),
  }),
);

export const kirjausavainResponse = z.lazy(() => z.looseObject({ viimeisinKirjausavain: kirjausavain }));

export const muutoksetRequest = z.lazy(() =>
  z.object({
    viimeisinKirjausavain: kirjausavain,
    hetulista: z.array(z.string().check(z.minLength(1, 'must not be empty'))).check(z.minLength(1, 'must hold at least one code')),
    /** Product code of the data permit, when DVV asks for one. */
    tuotekoodi: z.optional(z.string()),
  }),
);

const attribute = z.optional(z.string());
/**
 * With POISTETTU: the groups of the same kind in force after the removal, each without a
 * `muutosattribuutti`. Read as data groups when the record is mapped (`groupsInForce`).
 */
const voimassaolevatTiedot = () => z.optional(z.array(z.looseObject({ tietoryhma: z.string() })));
const kuntakoodi = z.string().check(z.regex(/^\d{3}$/, 'must be a three-digit municipality code'));
const optionalText = () => z.optional(z.string());
const optionalDate = () => z.optional(vtjMutpaDate);
const localizedText = () => z.looseObject({ fi: optionalText(), sv: optionalText() });

export const kotikuntaGroup = z.lazy(() =>
  z.looseObject({
    tietoryhma: z.literal('KOTIKUNTA'),
    muutosattribuutti: attribute,
    voimassaolevatTiedot: voimassaolevatTiedot(),
    kuntakoodi,
    kuntaanMuuttopv: optionalDate(),
    /** Spelling seen beside `kuntaanMuuttopv` in some answers. */
    kuntaanMuuttoPv: optionalDate(),
  }),
);

export const edellinenKotikuntaGroup = z.lazy(() =>
  z.looseObject({
    tietoryhma: z.literal('EDELLINEN_KOTIKUNTA'),
    muutosattribuutti: attribute,
    voimassaolevatTiedot: voimassaolevatTiedot(),
    kuntakoodi,
    kuntaanMuuttopv: optionalDate(),
    kunnastaPoisMuuttopv: optionalDate(),
  }),
);

export const vakinainenKotimainenOsoiteGroup = z.lazy(() =>
  z.looseObject({
    tietoryhma: z.literal('VAKINAINEN_KOTIMAINEN_OSOITE'),
    muutosattribuutti: attribute,
    voimassaolevatTiedot: voimassaolevatTiedot(),
    katunimi: z.optional(localizedText()),
    katunumero: optionalText(),
    huoneistokirjain: optionalText(),
    huoneistonumero: optionalText(),
    jakokirjain: optionalText(),
    postinumero: optionalText(),
    postitoimipaikka: z.optional(localizedText()),
    alkupv: optionalDate(),
    loppupv: optionalDate(),
    /** Under turvakielto VTJ names the protected fields instead of giving them. */
    turvakiellonAlaisetKentat: z.optional(z.array(z.string())),
  }),
);

export const turvakieltoGroup = z.lazy(() =>
  z.looseObject({
    tietoryhma: z.literal('TURVAKIELTO'),
    muutosattribuutti: attribute,
    voimassaolevatTiedot: voimassaolevatTiedot(),
    turvakieltoAktiivinen: z.boolean(),
    turvaLoppuPv: optionalDate(),
  }),
);

export const kuolinpaivaGroup = z.lazy(() =>
  z.looseObject({
    tietoryhma: z.literal('KUOLINPAIVA'),
    muutosattribuutti: attribute,
    voimassaolevatTiedot: voimassaolevatTiedot(),
    kuollut: z.optional(z.boolean()),
    kuolinpv: optionalDate(),
  }),
);

export const henkilotunnusKorjausGroup = z.lazy(() =>
  z.looseObject({
    tietoryhma: z.literal('HENKILOTUNNUS_KORJAUS'),
    muutosattribuutti: attribute,
    voimassaolevatTiedot: voimassaolevatTiedot(),
    /** AKTIIVI or PASSIIVI: the state of `muutettuHenkilotunnus`. */
    voimassaolo: z.string(),
    muutettuHenkilotunnus: z.string(),
    aktiivinenHenkilotunnus: z.string(),
    edellisetHenkilotunnukset: z.optional(z.array(z.string())),
  }),
);

export const KNOWN_TIETORYHMAT: readonly string[] = [
  'KOTIKUNTA',
  'EDELLINEN_KOTIKUNTA',
  'VAKINAINEN_KOTIMAINEN_OSOITE',
  'TURVAKIELTO',
  'KUOLINPAIVA',
  'HENKILOTUNNUS_KORJAUS',
];

/** A data group the hub does not read (HENKILON_NIMI, HUOLTAJA_SUPPEA, …): kept, never mapped. */
export const otherGroup = z.lazy(() =>
  z.looseObject({
    tietoryhma: z.string().check(z.refine((name) => !KNOWN_TIETORYHMAT.includes(name), 'a known data group must have its fields')),
    muutosattribuutti: attribute,
    voimassaolevatTiedot: voimassaolevatTiedot(),
  }),
);

export const tietoryhma = z.lazy(() =>
  z.union([
    z.discriminatedUnion('tietoryhma', [
      kotikuntaGroup,
      edellinenKotikuntaGroup,
      vakinainenKotimainenOsoiteGroup,
      turvakieltoGroup,
      kuolinpaivaGroup,
      henkilotunnusKorjausGroup,
    ]),
    otherGroup,
  ]),
);

export const muutos = z.lazy(() =>
  z.looseObject({
    /** When VTJ recorded the change. */
    muutospv: z.union([z.iso.datetime({ offset: true }), z.iso.date()]),
    henkilotunnus: z.string().check(z.minLength(1, 'must not be empty')),
    tietoryhmat: z.array(tietoryhma),
  }),
);

export const muutoksetResponse = z.lazy(() =>
  z.looseObject({
    viimeisinKirjausavain: kirjausavain,
    ajanTasalla: z.boolean(),
    muutokset: z.array(muutos),
  }),
);

export type Kirjausavain = z.infer<typeof kirjausavain>;
export type VtjMutpaDate = z.infer<typeof vtjMutpaDate>;
export type KirjausavainResponse = z.infer<typeof kirjausavainResponse>;
export type MuutoksetRequest = z.infer<typeof muutoksetRequest>;
export type Tietoryhma = z.infer<typeof tietoryhma>;
export type Muutos = z.infer<typeof muutos>;
export type MuutoksetResponse = z.infer<typeof muutoksetResponse>;

const parseWith = <S extends z.ZodMiniType>(schema: S, what: string, value: unknown): z.infer<S> => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new VtjContractError('schema', `${what} does not fit the VTJmutpa contract: ${issueText(parsed.error)}`);
  return parsed.data;
};

export const parseKirjausavainResponse = (json: unknown): KirjausavainResponse => parseWith(kirjausavainResponse, 'kirjausavain answer', json);
export const parseMuutoksetRequest = (json: unknown): MuutoksetRequest => parseWith(muutoksetRequest, 'muutokset request', json);
export const parseMuutoksetResponse = (json: unknown): MuutoksetResponse => parseWith(muutoksetResponse, 'muutokset answer', json);

// ---------------------------------------------------------------------------------------------
// Mapping to canonical events

/** A group without `muutosattribuutti` is read as a change, not as context. */
const isChange = (group: { muutosattribuutti?: string | undefined }): boolean => group.muutosattribuutti !== 'LISATIETO';

/** Groups that state a value in force after the change. */
const STATES_A_VALUE = new Set([undefined, 'LISATTY', 'MUUTETTU', 'KORJATTU']);
/** Groups whose value the change takes away. */
const WITHDRAWS_A_VALUE = new Set(['POISTETTU', 'KORJATTAVA']);

/**
 * The data groups a record leaves in force, in record order: a group that adds, changes or
 * corrects a value; for a POISTETTU group, the `voimassaolevatTiedot` VTJ lists with it. A
 * KORJATTAVA group (the withdrawn value) and context (LISATIETO) state nothing.
 */
function groupsInForce(groups: readonly Tietoryhma[]): Tietoryhma[] {
  return groups.flatMap((group, at) => {
    if (STATES_A_VALUE.has(group.muutosattribuutti)) return [group];
    if (group.muutosattribuutti !== 'POISTETTU') return [];
    return (group.voimassaolevatTiedot ?? []).map((entry, k) => {
      // The group's own schema, so that a refusal names the field rather than the union.
      const parsed = (GROUP_SCHEMAS[entry.tietoryhma] ?? otherGroup).safeParse(entry);
      if (!parsed.success) {
        throw new VtjContractError('schema', `tietoryhmat[${at}].voimassaolevatTiedot[${k}] does not fit the VTJmutpa contract: ${issueText(parsed.error)}`);
      }
      return parsed.data;
    });
  });
}

const GROUP_SCHEMAS: Readonly<Record<string, z.ZodMiniType<Tietoryhma>>> = {
  KOTIKUNTA: kotikuntaGroup,
  EDELLINEN_KOTIKUNTA: edellinenKotikuntaGroup,
  VAKINAINEN_KOTIMAINEN_OSOITE: vakinainenKotimainenOsoiteGroup,
  TURVAKIELTO: turvakieltoGroup,
  KUOLINPAIVA: kuolinpaivaGroup,
  HENKILOTUNNUS_KORJAUS: henkilotunnusKorjausGroup,
};

type KotikuntaGroup = z.infer<typeof kotikuntaGroup>;
type EdellinenKotikuntaGroup = z.infer<typeof edellinenKotikuntaGroup>;
const ofKind = <G extends Tietoryhma>(name: string) => (group: Tietoryhma): group is G => group.tietoryhma === name;
const isKotikunta = ofKind<KotikuntaGroup>('KOTIKUNTA');
const isEdellinenKotikunta = ofKind<EdellinenKotikuntaGroup>('EDELLINEN_KOTIKUNTA');

/** `{arvo, tarkkuus}` -> ISO date; a month or year precision gives its first day. */
export function vtjMutpaDateToIso(date: VtjMutpaDate | undefined): string | null {
  if (!date) return null;
  const [year, month = '01', day = '01'] = date.arvo.split('-');
  return `${year}-${month}-${day}`;
}

const dayAfter = (iso: string): string => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
};

const toTimestamp = (muutospv: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(muutospv) ? `${muutospv}T00:00:00.000Z` : muutospv);

/** The events one change record makes for municipality M (see the module comment). */
export function mapVtjChange(change: Muutos, municipality: string): PersonChangeEventV1[] {
  const base = { hetu: change.henkilotunnus, municipality, changedAt: toTimestamp(change.muutospv) };
  const groups = change.tietoryhmat;
  const inForce = groupsInForce(groups);
  const kotikuntaChanged = groups.some((g) => isKotikunta(g) && isChange(g));
  /** Home municipalities the record withdraws or corrects: staying in one of them is no move. */
  const withdrawnHomes = new Set(groups.filter((g) => isKotikunta(g) && WITHDRAWS_A_VALUE.has(g.muutosattribuutti ?? '')).map((g) => (g as KotikuntaGroup).kuntakoodi));

  const homeInForce = kotikuntaChanged ? inForce.filter(isKotikunta).at(-1) : undefined;
  const newHome = homeInForce && !withdrawnHomes.has(homeInForce.kuntakoodi) ? homeInForce : undefined;
  const leftM = inForce.filter(isEdellinenKotikunta).find((g) => g.kuntakoodi === municipality && g.kunnastaPoisMuuttopv !== undefined);
  const removedM = groups.some((g) => isKotikunta(g) && g.kuntakoodi === municipality && g.muutosattribuutti === 'POISTETTU') && homeInForce?.kuntakoodi !== municipality;

  const events: PersonChangeEventV1[] = [];
  if (newHome && newHome.kuntakoodi === municipality) {
    events.push({ type: 'person.moved-in', ...base, movedOn: vtjMutpaDateToIso(newHome.kuntaanMuuttopv ?? newHome.kuntaanMuuttoPv) });
  } else if ((newHome || leftM || removedM) && homeInForce?.kuntakoodi !== municipality) {
    const firstDayIn = vtjMutpaDateToIso(newHome?.kuntaanMuuttopv ?? newHome?.kuntaanMuuttoPv);
    const lastDayInM = vtjMutpaDateToIso(leftM?.kunnastaPoisMuuttopv);
    events.push({
      type: 'person.moved-out',
      ...base,
      newMunicipality: homeInForce?.kuntakoodi ?? null,
      movedOn: firstDayIn ?? (lastDayInM ? dayAfter(lastDayInM) : null),
    });
  }
  const moved = events.length > 0;

  const kinds = new Set<PersonChangeKind>();
  for (const group of groups) {
    if (!isChange(group)) continue;
    switch (group.tietoryhma) {
      case 'TURVAKIELTO':
        kinds.add('turvakielto');
        break;
      case 'KUOLINPAIVA':
        kinds.add('death');
        break;
      case 'HENKILOTUNNUS_KORJAUS':
        kinds.add('hetu-correction');
        break;
      case 'VAKINAINEN_KOTIMAINEN_OSOITE':
        if (!moved) kinds.add('address');
        break;
      case 'KOTIKUNTA':
      case 'EDELLINEN_KOTIKUNTA':
        if (!moved) kinds.add('kotikunta');
        break;
      default:
        break;
    }
  }
  if (kinds.size > 0) {
    events.push({
      type: 'person.changed',
      ...base,
      changes: [...kinds].sort(),
      turvakielto: kinds.has('turvakielto') ? turvakieltoInForce(inForce) : null,
      dateOfDeath: kinds.has('death') ? dateOfDeathInForce(inForce) : null,
      activeHetu: kinds.has('hetu-correction') ? activeHetuInForce(inForce) : null,
    });
  }
  return events;
}

/** Turvakielto after the change: the group in force says; none left in force (removed) is none. */
function turvakieltoInForce(inForce: readonly Tietoryhma[]): boolean {
  const group = inForce.filter(ofKind<z.infer<typeof turvakieltoGroup>>('TURVAKIELTO')).at(-1);
  return group?.turvakieltoAktiivinen ?? false;
}

/** The date of death after the change: null when the death was removed or corrected away (`kuollut: false`). */
function dateOfDeathInForce(inForce: readonly Tietoryhma[]): string | null {
  const group = inForce.filter(ofKind<z.infer<typeof kuolinpaivaGroup>>('KUOLINPAIVA')).at(-1);
  return group && group.kuollut !== false ? vtjMutpaDateToIso(group.kuolinpv) : null;
}

function activeHetuInForce(inForce: readonly Tietoryhma[]): string | null {
  return inForce.filter(ofKind<z.infer<typeof henkilotunnusKorjausGroup>>('HENKILOTUNNUS_KORJAUS')).at(-1)?.aktiivinenHenkilotunnus ?? null;
}

/** The events of each change record of an answer for municipality M: `index` is the record's place in `muutokset`. */
export interface MappedVtjChange {
  readonly index: number;
  readonly events: PersonChangeEventV1[];
}

/** The events an answer makes for municipality M, per change record in feed order, each validated. */
export function mapVtjChangesByRecord(answer: MuutoksetResponse, municipality: string): MappedVtjChange[] {
  if (!/^\d{3}$/.test(municipality)) throw new RangeError('mapVtjChanges: municipality must be a three-digit code');
  return answer.muutokset.map((change, index) => ({
    index,
    events: mapVtjChange(change, municipality).map((event) => {
      const parsed = personChangeEventV1.safeParse(event);
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))].join(', ');
        throw new VtjContractError('schema', `VTJmutpa change muutokset[${index}] does not map to a canonical event (fields: ${fields})`);
      }
      return parsed.data;
    }),
  }));
}

/** The events an answer makes for municipality M, in feed order, each validated. */
export function mapVtjChanges(answer: MuutoksetResponse, municipality: string): PersonChangeEventV1[] {
  return mapVtjChangesByRecord(answer, municipality).flatMap((record) => record.events);
}

// ---------------------------------------------------------------------------------------------
// Builders (the mock's side and test factories)

const day = (iso: string): VtjMutpaDate => ({ arvo: iso, tarkkuus: 'PAIVA' });

/** A move from `from` (null: unknown or from abroad without a record) to `to`, effective `on`. */
export function buildMoveChange(init: { hetu: string; to: string; on: string; from?: string | null; changedAt?: string }): Muutos {
  const tietoryhmat: Tietoryhma[] = [
    { tietoryhma: 'KOTIKUNTA', muutosattribuutti: 'LISATTY', kuntakoodi: init.to, kuntaanMuuttopv: day(init.on) },
  ];
  if (init.from) {
    const lastDay = new Date(`${init.on}T00:00:00Z`);
    lastDay.setUTCDate(lastDay.getUTCDate() - 1);
    tietoryhmat.push({
      tietoryhma: 'EDELLINEN_KOTIKUNTA',
      muutosattribuutti: 'MUUTETTU',
      kuntakoodi: init.from,
      kunnastaPoisMuuttopv: day(lastDay.toISOString().slice(0, 10)),
    });
  }
  tietoryhmat.push({ tietoryhma: 'VAKINAINEN_KOTIMAINEN_OSOITE', muutosattribuutti: 'LISATTY', alkupv: day(init.on) });
  return { muutospv: init.changedAt ?? `${init.on}T08:00:00.000Z`, henkilotunnus: init.hetu, tietoryhmat };
}

export function buildTurvakieltoChange(init: { hetu: string; active: boolean; changedAt: string }): Muutos {
  return {
    muutospv: init.changedAt,
    henkilotunnus: init.hetu,
    tietoryhmat: [{ tietoryhma: 'TURVAKIELTO', muutosattribuutti: init.active ? 'LISATTY' : 'MUUTETTU', turvakieltoAktiivinen: init.active }],
  };
}

export function buildDeathChange(init: { hetu: string; dateOfDeath: string; changedAt: string }): Muutos {
  return {
    muutospv: init.changedAt,
    henkilotunnus: init.hetu,
    tietoryhmat: [{ tietoryhma: 'KUOLINPAIVA', muutosattribuutti: 'LISATTY', kuollut: true, kuolinpv: day(init.dateOfDeath) }],
  };
}
