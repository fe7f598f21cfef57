/**
 * Finnish municipalities (kunta) and their three-digit codes, from Statistics Finland's municipality
 * classification for 2026 (kunta_1_20260101): 308 municipalities, 16 of them in Åland. Pertunmaa
 * (588) joined Mäntyharju (507) on 1 January 2026; the 2025 classification still had 309.
 *
 * Codes keep their leading zeros (`091` Helsinki). The Swedish name is the one the classification
 * gives, which equals the Finnish name where the municipality has no Swedish name of its own.
 *
 * The population information system (VTJ) also gives a home municipality (kotikunta) with codes
 * that are not municipalities: `200` abroad, `198` no home municipality in Finland, `199` unknown.
 * They are kept apart (`HOME_MUNICIPALITY_SPECIAL_CODES`) so that a message about a municipality can
 * never be addressed to "abroad". A municipality code is not personal data, so errors may quote it.
 */
import * as z from '#contracts/zod';

export interface Municipality {
  /** Three digits, leading zeros kept. */
  readonly code: string;
  readonly nameFi: string;
  /** Equals `nameFi` where there is no separate Swedish name. */
  readonly nameSv: string;
  /** `municipality` for a current municipality, `special` for 198, 199 and 200. */
  readonly kind: 'municipality' | 'special';
}

/** Home municipality code for a person living abroad (Ulkomaat / Utlandet). */
export const ABROAD = '200';
/** Home municipality code for a person with no home municipality in Finland. */
export const NO_HOME_MUNICIPALITY_IN_FINLAND = '198';
/** Home municipality code when the home municipality is not known. */
export const HOME_MUNICIPALITY_UNKNOWN = '199';

/** [code, Finnish name, Swedish name when it differs]. */
type Row = readonly [code: string, nameFi: string, nameSv?: string];

const ROWS: readonly Row[] = [
  ['005', 'Alajärvi'], ['009', 'Alavieska'], ['010', 'Alavus', 'Alavo'], ['016', 'Asikkala'],
  ['018', 'Askola'], ['019', 'Aura'], ['020', 'Akaa'], ['035', 'Brändö'], ['043', 'Eckerö'],
  ['046', 'Enonkoski'], ['047', 'Enontekiö', 'Enontekis'], ['049', 'Espoo', 'Esbo'], ['050', 'Eura'],
  ['051', 'Eurajoki', 'Euraåminne'], ['052', 'Evijärvi'], ['060', 'Finström'], ['061', 'Forssa'],
  ['062', 'Föglö'], ['065', 'Geta'], ['069', 'Haapajärvi'], ['071', 'Haapavesi'],
  ['072', 'Hailuoto', 'Karlö'], ['074', 'Halsua'], ['075', 'Hamina', 'Fredrikshamn'],
  ['076', 'Hammarland'], ['077', 'Hankasalmi'], ['078', 'Hanko', 'Hangö'], ['079', 'Harjavalta'],
  ['081', 'Hartola'], ['082', 'Hattula'], ['086', 'Hausjärvi'], ['090', 'Heinävesi'],
  ['091', 'Helsinki', 'Helsingfors'], ['092', 'Vantaa', 'Vanda'], ['097', 'Hirvensalmi'],
  ['098', 'Hollola'], ['102', 'Huittinen'], ['103', 'Humppila'], ['105', 'Hyrynsalmi'],
  ['106', 'Hyvinkää', 'Hyvinge'], ['108', 'Hämeenkyrö', 'Tavastkyro'],
  ['109', 'Hämeenlinna', 'Tavastehus'], ['111', 'Heinola'], ['139', 'Ii'],
  ['140', 'Iisalmi', 'Idensalmi'], ['142', 'Iitti'], ['143', 'Ikaalinen', 'Ikalis'],
  ['145', 'Ilmajoki'], ['146', 'Ilomantsi', 'Ilomants'], ['148', 'Inari', 'Enare'],
  ['149', 'Inkoo', 'Ingå'], ['151', 'Isojoki', 'Storå'], ['152', 'Isokyrö', 'Storkyro'],
  ['153', 'Imatra'], ['165', 'Janakkala'], ['167', 'Joensuu'], ['169', 'Jokioinen'],
  ['170', 'Jomala'], ['171', 'Joroinen', 'Jorois'], ['172', 'Joutsa'], ['176', 'Juuka'],
  ['177', 'Juupajoki'], ['178', 'Juva'], ['179', 'Jyväskylä'], ['181', 'Jämijärvi'], ['182', 'Jämsä'],
  ['186', 'Järvenpää', 'Träskända'], ['202', 'Kaarina', 'S:t Karins'], ['204', 'Kaavi'],
  ['205', 'Kajaani', 'Kajana'], ['208', 'Kalajoki'], ['211', 'Kangasala'], ['213', 'Kangasniemi'],
  ['214', 'Kankaanpää'], ['216', 'Kannonkoski'], ['217', 'Kannus'], ['218', 'Karijoki', 'Bötom'],
  ['224', 'Karkkila', 'Högfors'], ['226', 'Karstula'], ['230', 'Karvia'], ['231', 'Kaskinen', 'Kaskö'],
  ['232', 'Kauhajoki'], ['233', 'Kauhava'], ['235', 'Kauniainen', 'Grankulla'],
  ['236', 'Kaustinen', 'Kaustby'], ['239', 'Keitele'], ['240', 'Kemi'], ['241', 'Keminmaa'],
  ['244', 'Kempele'], ['245', 'Kerava', 'Kervo'], ['249', 'Keuruu'], ['250', 'Kihniö'],
  ['256', 'Kinnula'], ['257', 'Kirkkonummi', 'Kyrkslätt'], ['260', 'Kitee'], ['261', 'Kittilä'],
  ['263', 'Kiuruvesi'], ['265', 'Kivijärvi'], ['271', 'Kokemäki', 'Kumo'], ['272', 'Kokkola', 'Karleby'],
  ['273', 'Kolari'], ['275', 'Konnevesi'], ['276', 'Kontiolahti'], ['280', 'Korsnäs'],
  ['284', 'Koski Tl', 'Koski (Ål)'], ['285', 'Kotka'], ['286', 'Kouvola'],
  ['287', 'Kristiinankaupunki', 'Kristinestad'], ['288', 'Kruunupyy', 'Kronoby'], ['290', 'Kuhmo'],
  ['291', 'Kuhmoinen'], ['295', 'Kumlinge'], ['297', 'Kuopio'], ['300', 'Kuortane'], ['301', 'Kurikka'],
  ['304', 'Kustavi', 'Gustavs'], ['305', 'Kuusamo'], ['309', 'Outokumpu'], ['312', 'Kyyjärvi'],
  ['316', 'Kärkölä'], ['317', 'Kärsämäki'], ['318', 'Kökar'], ['320', 'Kemijärvi'],
  ['322', 'Kemiönsaari', 'Kimitoön'], ['398', 'Lahti', 'Lahtis'], ['399', 'Laihia'], ['400', 'Laitila'],
  ['402', 'Lapinlahti'], ['403', 'Lappajärvi'], ['405', 'Lappeenranta', 'Villmanstrand'],
  ['407', 'Lapinjärvi', 'Lappträsk'], ['408', 'Lapua', 'Lappo'], ['410', 'Laukaa'], ['416', 'Lemi'],
  ['417', 'Lemland'], ['418', 'Lempäälä'], ['420', 'Leppävirta'], ['421', 'Lestijärvi'],
  ['422', 'Lieksa'], ['423', 'Lieto', 'Lundo'], ['425', 'Liminka', 'Limingo'], ['426', 'Liperi'],
  ['430', 'Loimaa'], ['433', 'Loppi'], ['434', 'Loviisa', 'Lovisa'], ['435', 'Luhanka'],
  ['436', 'Lumijoki'], ['438', 'Lumparland'], ['440', 'Luoto', 'Larsmo'], ['441', 'Luumäki'],
  ['444', 'Lohja', 'Lojo'], ['445', 'Parainen', 'Pargas'], ['475', 'Maalahti', 'Malax'],
  ['478', 'Maarianhamina', 'Mariehamn'], ['480', 'Marttila'], ['481', 'Masku'], ['483', 'Merijärvi'],
  ['484', 'Merikarvia', 'Sastmola'], ['489', 'Miehikkälä'], ['491', 'Mikkeli', 'S:t Michel'],
  ['494', 'Muhos'], ['495', 'Multia'], ['498', 'Muonio'], ['499', 'Mustasaari', 'Korsholm'],
  ['500', 'Muurame'], ['503', 'Mynämäki'], ['504', 'Myrskylä', 'Mörskom'], ['505', 'Mäntsälä'],
  ['507', 'Mäntyharju'], ['508', 'Mänttä-Vilppula'], ['529', 'Naantali', 'Nådendal'], ['531', 'Nakkila'],
  ['535', 'Nivala'], ['536', 'Nokia'], ['538', 'Nousiainen', 'Nousis'], ['541', 'Nurmes'],
  ['543', 'Nurmijärvi'], ['545', 'Närpiö', 'Närpes'], ['560', 'Orimattila'], ['561', 'Oripää'],
  ['562', 'Orivesi'], ['563', 'Oulainen'], ['564', 'Oulu', 'Uleåborg'], ['576', 'Padasjoki'],
  ['577', 'Paimio', 'Pemar'], ['578', 'Paltamo'], ['580', 'Parikkala'], ['581', 'Parkano'],
  ['583', 'Pelkosenniemi'], ['584', 'Perho'], ['592', 'Petäjävesi'], ['593', 'Pieksämäki'],
  ['595', 'Pielavesi'], ['598', 'Pietarsaari', 'Jakobstad'], ['599', 'Pedersören kunta', 'Pedersöre'],
  ['601', 'Pihtipudas'], ['604', 'Pirkkala', 'Birkala'], ['607', 'Polvijärvi'], ['608', 'Pomarkku', 'Påmark'],
  ['609', 'Pori', 'Björneborg'], ['611', 'Pornainen', 'Borgnäs'], ['614', 'Posio'], ['615', 'Pudasjärvi'],
  ['616', 'Pukkila'], ['619', 'Punkalaidun'], ['620', 'Puolanka'], ['623', 'Puumala'],
  ['624', 'Pyhtää', 'Pyttis'], ['625', 'Pyhäjoki'], ['626', 'Pyhäjärvi'], ['630', 'Pyhäntä'],
  ['631', 'Pyhäranta'], ['635', 'Pälkäne'], ['636', 'Pöytyä'], ['638', 'Porvoo', 'Borgå'],
  ['678', 'Raahe', 'Brahestad'], ['680', 'Raisio', 'Reso'], ['681', 'Rantasalmi'], ['683', 'Ranua'],
  ['684', 'Rauma', 'Raumo'], ['686', 'Rautalampi'], ['687', 'Rautavaara'], ['689', 'Rautjärvi'],
  ['691', 'Reisjärvi'], ['694', 'Riihimäki'], ['697', 'Ristijärvi'], ['698', 'Rovaniemi'],
  ['700', 'Ruokolahti'], ['702', 'Ruovesi'], ['704', 'Rusko'], ['707', 'Rääkkylä'],
  ['710', 'Raasepori', 'Raseborg'], ['729', 'Saarijärvi'], ['732', 'Salla'], ['734', 'Salo'],
  ['736', 'Saltvik'], ['738', 'Sauvo', 'Sagu'], ['739', 'Savitaipale'], ['740', 'Savonlinna', 'Nyslott'],
  ['742', 'Savukoski'], ['743', 'Seinäjoki'], ['746', 'Sievi'], ['747', 'Siikainen'], ['748', 'Siikajoki'],
  ['749', 'Siilinjärvi'], ['751', 'Simo'], ['753', 'Sipoo', 'Sibbo'], ['755', 'Siuntio', 'Sjundeå'],
  ['758', 'Sodankylä'], ['759', 'Soini'], ['761', 'Somero'], ['762', 'Sonkajärvi'], ['765', 'Sotkamo'],
  ['766', 'Sottunga'], ['768', 'Sulkava'], ['771', 'Sund'], ['777', 'Suomussalmi'], ['778', 'Suonenjoki'],
  ['781', 'Sysmä'], ['783', 'Säkylä'], ['785', 'Vaala'], ['790', 'Sastamala'], ['791', 'Siikalatva'],
  ['831', 'Taipalsaari'], ['832', 'Taivalkoski'], ['833', 'Taivassalo', 'Tövsala'], ['834', 'Tammela'],
  ['837', 'Tampere', 'Tammerfors'], ['844', 'Tervo'], ['845', 'Tervola'], ['846', 'Teuva', 'Östermark'],
  ['848', 'Tohmajärvi'], ['849', 'Toholampi'], ['850', 'Toivakka'], ['851', 'Tornio', 'Torneå'],
  ['853', 'Turku', 'Åbo'], ['854', 'Pello'], ['857', 'Tuusniemi'], ['858', 'Tuusula', 'Tusby'],
  ['859', 'Tyrnävä'], ['886', 'Ulvila', 'Ulvsby'], ['887', 'Urjala'], ['889', 'Utajärvi'], ['890', 'Utsjoki'],
  ['892', 'Uurainen'], ['893', 'Uusikaarlepyy', 'Nykarleby'], ['895', 'Uusikaupunki', 'Nystad'],
  ['905', 'Vaasa', 'Vasa'], ['908', 'Valkeakoski'], ['915', 'Varkaus'], ['918', 'Vehmaa'],
  ['921', 'Vesanto'], ['922', 'Vesilahti'], ['924', 'Veteli', 'Vetil'], ['925', 'Vieremä'],
  ['927', 'Vihti', 'Vichtis'], ['931', 'Viitasaari'], ['934', 'Vimpeli', 'Vindala'], ['935', 'Virolahti'],
  ['936', 'Virrat', 'Virdois'], ['941', 'Vårdö'], ['946', 'Vöyri', 'Vörå'],
  ['976', 'Ylitornio', 'Övertorneå'], ['977', 'Ylivieska'], ['980', 'Ylöjärvi'], ['981', 'Ypäjä'],
  ['989', 'Ähtäri', 'Etseri'], ['992', 'Äänekoski'],
];

const toMunicipality = ([code, nameFi, nameSv]: Row, kind: Municipality['kind']): Municipality =>
  Object.freeze({ code, nameFi, nameSv: nameSv ?? nameFi, kind });

/** Every current municipality, in code order. */
export const MUNICIPALITIES: readonly Municipality[] = Object.freeze(ROWS.map((row) => toMunicipality(row, 'municipality')));

/** Home municipality codes that are not municipalities (VTJ Kotikunta/Kuntanumero). */
export const HOME_MUNICIPALITY_SPECIAL_CODES: readonly Municipality[] = Object.freeze(
  (
    [
      [NO_HOME_MUNICIPALITY_IN_FINLAND, 'Ei kotikuntaa Suomessa', 'Ingen hemkommun'],
      [HOME_MUNICIPALITY_UNKNOWN, 'Kotikunta tuntematon', 'Okänd hemkommun'],
      [ABROAD, 'Ulkomaat', 'Utlandet'],
    ] as const satisfies readonly Row[]
  ).map((row) => toMunicipality(row, 'special')),
);

/**
 * Recent municipality mergers: a code that was in use and the code that took it over, so that an
 * integrator sending a stale code is told where it went rather than only that it is unknown.
 */
export const MERGED_MUNICIPALITIES: Readonly<Record<string, { readonly nameFi: string; readonly into: string; readonly on: string }>> =
  Object.freeze({
    '911': { nameFi: 'Valtimo', into: '541', on: '2020-01-01' },
    '099': { nameFi: 'Honkajoki', into: '214', on: '2021-01-01' },
    '588': { nameFi: 'Pertunmaa', into: '507', on: '2026-01-01' },
  });

const BY_CODE: ReadonlyMap<string, Municipality> = new Map(
  [...MUNICIPALITIES, ...HOME_MUNICIPALITY_SPECIAL_CODES].map((m) => [m.code, m]),
);

/** The municipality — or the special home-municipality value 198, 199, 200 — with this code. */
export function municipalityByCode(code: string): Municipality | undefined {
  return BY_CODE.get(code);
}

/** Is this the code of a current municipality? (Not 198, 199 or 200.) */
export function isMunicipalityCode(code: unknown): code is string {
  return typeof code === 'string' && BY_CODE.get(code)?.kind === 'municipality';
}

/** Is this a code VTJ can give as a home municipality: a municipality, or 198, 199 or 200? */
export function isHomeMunicipalityCode(code: unknown): code is string {
  return typeof code === 'string' && BY_CODE.has(code);
}

const THREE_DIGITS = /^\d{3}$/;

/**
 * Why `code` is not a current municipality code, in words an integrator can act on. Only a
 * three-digit value is quoted: anything else might be some other field's data pasted here.
 */
export function municipalityCodeProblem(code: string): string {
  if (!THREE_DIGITS.test(code)) return "a municipality code is three digits with leading zeros, e.g. '091'";
  const special = BY_CODE.get(code);
  if (special?.kind === 'special') {
    return `'${code}' (${special.nameFi}) is a home municipality value, not a municipality`;
  }
  const merged = MERGED_MUNICIPALITIES[code];
  if (merged) {
    const successor = BY_CODE.get(merged.into);
    return `municipality code '${code}' (${merged.nameFi}) is no longer in use: merged into '${merged.into}' (${successor?.nameFi ?? 'unknown'}) on ${merged.on}`;
  }
  return `unknown municipality code '${code}': not a current Finnish municipality`;
}

/** A current municipality's code, e.g. the municipality a message concerns. */
export const municipalityCodeSchema = z.string().check(
  z.superRefine((code, ctx) => {
    if (!isMunicipalityCode(code)) ctx.addIssue({ code: 'custom', message: municipalityCodeProblem(code) });
  }),
  // What JSON Schema cannot say of it, for the published contract (docs/integrators/).
  z.describe(
    "A current Finnish municipality code, three digits with leading zeros (e.g. '091'), as Statistics Finland classifies them; checked by the hub: a merged municipality's code or a home municipality value (198, 199, 200) is refused",
  ),
);

/** A person's home municipality (kotikunta) as VTJ gives it: a municipality, or 198, 199 or 200. */
export const homeMunicipalityCodeSchema = z.string().check(
  z.superRefine((code, ctx) => {
    if (!isHomeMunicipalityCode(code)) ctx.addIssue({ code: 'custom', message: municipalityCodeProblem(code) });
  }),
);
