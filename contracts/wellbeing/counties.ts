/**
 * The wellbeing services counties (hyvinvointialue) and which one serves each municipality: 21
 * counties, plus the city of Helsinki, which organises its own social, health and rescue services
 * (Act on Wellbeing Services Counties 611/2021; Act on organising social and health care in Uusimaa
 * 615/2021). Åland's 16 municipalities belong to none: Åland organises these services itself.
 *
 * Source: Statistics Finland's classification of wellbeing services counties and its
 * municipality-to-county correspondence for 2026 (`hyvinvointialue`, kunta_1_20260101 →
 * hyvinvointialue_1_20260101), over the 2026 municipality list in contracts/municipalities.ts.
 * Outside Uusimaa a county covers its region (maakunta), with the region changes of 2021 in force:
 * Isokyrö in Etelä-Pohjanmaa, Kuhmoinen in Pirkanmaa, Heinävesi in Pohjois-Karjala, Joroinen in
 * Etelä-Savo, Iitti in Kymenlaakso. The table was written down from that classification, not
 * downloaded: when Statistics Finland publishes the next year's correspondence, compare and update
 * `COUNTY_MEMBERS` and `WELLBEING_CLASSIFICATION`.
 *
 * A county is named in envelopes as `wellbeing:<id>` (the slug below). The classification's own
 * numeric codes are not carried: nothing the hub sends or receives uses them.
 */
import { MUNICIPALITIES, isMunicipalityCode, municipalityByCode } from '#contracts/municipalities';

export const WELLBEING_CLASSIFICATION = Object.freeze({
  source: 'Statistics Finland, classification of wellbeing services counties (hyvinvointialue), municipality correspondence',
  year: 2026,
});

export const COUNTY_IDS = [
  'helsinki',
  'ita-uusimaa',
  'keski-uusimaa',
  'lansi-uusimaa',
  'vantaa-kerava',
  'varsinais-suomi',
  'satakunta',
  'kanta-hame',
  'pirkanmaa',
  'paijat-hame',
  'kymenlaakso',
  'etela-karjala',
  'etela-savo',
  'pohjois-savo',
  'pohjois-karjala',
  'keski-suomi',
  'etela-pohjanmaa',
  'pohjanmaa',
  'keski-pohjanmaa',
  'pohjois-pohjanmaa',
  'kainuu',
  'lappi',
] as const;

export type CountyId = (typeof COUNTY_IDS)[number];

export interface WellbeingCounty {
  readonly id: CountyId;
  readonly nameFi: string;
  readonly nameSv: string;
  /** `city` for Helsinki, which organises the services itself; `county` for the 21 counties. */
  readonly kind: 'county' | 'city';
  /** The codes of the municipalities it serves, in code order. */
  readonly municipalities: readonly string[];
}

/** Names of the organiser, as the classification gives them. */
const NAMES: Readonly<Record<CountyId, readonly [fi: string, sv: string]>> = {
  helsinki: ['Helsingin kaupunki', 'Helsingfors stad'],
  'ita-uusimaa': ['Itä-Uudenmaan hyvinvointialue', 'Östra Nylands välfärdsområde'],
  'keski-uusimaa': ['Keski-Uudenmaan hyvinvointialue', 'Mellersta Nylands välfärdsområde'],
  'lansi-uusimaa': ['Länsi-Uudenmaan hyvinvointialue', 'Västra Nylands välfärdsområde'],
  'vantaa-kerava': ['Vantaan ja Keravan hyvinvointialue', 'Vanda och Kervo välfärdsområde'],
  'varsinais-suomi': ['Varsinais-Suomen hyvinvointialue', 'Egentliga Finlands välfärdsområde'],
  satakunta: ['Satakunnan hyvinvointialue', 'Satakunta välfärdsområde'],
  'kanta-hame': ['Kanta-Hämeen hyvinvointialue', 'Egentliga Tavastlands välfärdsområde'],
  pirkanmaa: ['Pirkanmaan hyvinvointialue', 'Birkalands välfärdsområde'],
  'paijat-hame': ['Päijät-Hämeen hyvinvointialue', 'Päijänne-Tavastlands välfärdsområde'],
  kymenlaakso: ['Kymenlaakson hyvinvointialue', 'Kymmenedalens välfärdsområde'],
  'etela-karjala': ['Etelä-Karjalan hyvinvointialue', 'Södra Karelens välfärdsområde'],
  'etela-savo': ['Etelä-Savon hyvinvointialue', 'Södra Savolax välfärdsområde'],
  'pohjois-savo': ['Pohjois-Savon hyvinvointialue', 'Norra Savolax välfärdsområde'],
  'pohjois-karjala': ['Pohjois-Karjalan hyvinvointialue', 'Norra Karelens välfärdsområde'],
  'keski-suomi': ['Keski-Suomen hyvinvointialue', 'Mellersta Finlands välfärdsområde'],
  'etela-pohjanmaa': ['Etelä-Pohjanmaan hyvinvointialue', 'Södra Österbottens välfärdsområde'],
  pohjanmaa: ['Pohjanmaan hyvinvointialue', 'Österbottens välfärdsområde'],
  'keski-pohjanmaa': ['Keski-Pohjanmaan hyvinvointialue', 'Mellersta Österbottens välfärdsområde'],
  'pohjois-pohjanmaa': ['Pohjois-Pohjanmaan hyvinvointialue', 'Norra Österbottens välfärdsområde'],
  kainuu: ['Kainuun hyvinvointialue', 'Kajanalands välfärdsområde'],
  lappi: ['Lapin hyvinvointialue', 'Lapplands välfärdsområde'],
};

/** Municipality codes per county (names in the comments, for review against the classification). */
const COUNTY_MEMBERS: Readonly<Record<CountyId, readonly string[]>> = {
  helsinki: ['091'],
  // Askola, Lapinjärvi, Loviisa, Myrskylä, Pukkila, Porvoo, Sipoo
  'ita-uusimaa': ['018', '407', '434', '504', '616', '638', '753'],
  // Hyvinkää, Järvenpää, Mäntsälä, Nurmijärvi, Pornainen, Tuusula
  'keski-uusimaa': ['106', '186', '505', '543', '611', '858'],
  // Espoo, Hanko, Inkoo, Karkkila, Kauniainen, Kirkkonummi, Lohja, Raasepori, Siuntio, Vihti
  'lansi-uusimaa': ['049', '078', '149', '224', '235', '257', '444', '710', '755', '927'],
  // Vantaa, Kerava
  'vantaa-kerava': ['092', '245'],
  // Aura, Kaarina, Kemiönsaari, Koski Tl, Kustavi, Laitila, Lieto, Loimaa, Marttila, Masku, Mynämäki,
  // Naantali, Nousiainen, Oripää, Paimio, Parainen, Pyhäranta, Pöytyä, Raisio, Rusko, Salo, Sauvo,
  // Somero, Taivassalo, Turku, Uusikaupunki, Vehmaa
  'varsinais-suomi': [
    '019', '202', '322', '284', '304', '400', '423', '430', '480', '481', '503', '529', '538', '561',
    '577', '445', '631', '636', '680', '704', '734', '738', '761', '833', '853', '895', '918',
  ],
  // Eura, Eurajoki, Harjavalta, Huittinen, Jämijärvi, Kankaanpää, Karvia, Kokemäki, Merikarvia,
  // Nakkila, Pomarkku, Pori, Rauma, Siikainen, Säkylä, Ulvila
  satakunta: ['050', '051', '079', '102', '181', '214', '230', '271', '484', '531', '608', '609', '684', '747', '783', '886'],
  // Forssa, Hattula, Hausjärvi, Humppila, Hämeenlinna, Janakkala, Jokioinen, Loppi, Riihimäki, Tammela, Ypäjä
  'kanta-hame': ['061', '082', '086', '103', '109', '165', '169', '433', '694', '834', '981'],
  // Akaa, Hämeenkyrö, Ikaalinen, Juupajoki, Kangasala, Kihniö, Kuhmoinen, Lempäälä, Mänttä-Vilppula,
  // Nokia, Orivesi, Parkano, Pirkkala, Punkalaidun, Pälkäne, Ruovesi, Sastamala, Tampere, Urjala,
  // Valkeakoski, Vesilahti, Virrat, Ylöjärvi
  pirkanmaa: [
    '020', '108', '143', '177', '211', '250', '291', '418', '508', '536', '562', '581', '604', '619',
    '635', '702', '790', '837', '887', '908', '922', '936', '980',
  ],
  // Asikkala, Hartola, Heinola, Hollola, Kärkölä, Lahti, Orimattila, Padasjoki, Sysmä
  'paijat-hame': ['016', '081', '111', '098', '316', '398', '560', '576', '781'],
  // Hamina, Iitti, Kotka, Kouvola, Miehikkälä, Pyhtää, Virolahti
  kymenlaakso: ['075', '142', '285', '286', '489', '624', '935'],
  // Imatra, Lappeenranta, Lemi, Luumäki, Parikkala, Rautjärvi, Ruokolahti, Savitaipale, Taipalsaari
  'etela-karjala': ['153', '405', '416', '441', '580', '689', '700', '739', '831'],
  // Enonkoski, Hirvensalmi, Joroinen, Juva, Kangasniemi, Mikkeli, Mäntyharju, Pieksämäki, Puumala,
  // Rantasalmi, Savonlinna, Sulkava
  'etela-savo': ['046', '097', '171', '178', '213', '491', '507', '593', '623', '681', '740', '768'],
  // Iisalmi, Kaavi, Keitele, Kiuruvesi, Kuopio, Lapinlahti, Leppävirta, Pielavesi, Rautalampi,
  // Rautavaara, Siilinjärvi, Sonkajärvi, Suonenjoki, Tervo, Tuusniemi, Varkaus, Vesanto, Vieremä
  'pohjois-savo': [
    '140', '204', '239', '263', '297', '402', '420', '595', '686', '687', '749', '762', '778', '844',
    '857', '915', '921', '925',
  ],
  // Heinävesi, Ilomantsi, Joensuu, Juuka, Kitee, Kontiolahti, Lieksa, Liperi, Nurmes, Outokumpu,
  // Polvijärvi, Rääkkylä, Tohmajärvi
  'pohjois-karjala': ['090', '146', '167', '176', '260', '276', '422', '426', '541', '309', '607', '707', '848'],
  // Hankasalmi, Joutsa, Jyväskylä, Jämsä, Kannonkoski, Karstula, Keuruu, Kinnula, Kivijärvi, Konnevesi,
  // Kyyjärvi, Laukaa, Luhanka, Multia, Muurame, Petäjävesi, Pihtipudas, Saarijärvi, Toivakka,
  // Uurainen, Viitasaari, Äänekoski
  'keski-suomi': [
    '077', '172', '179', '182', '216', '226', '249', '256', '265', '275', '312', '410', '435', '495',
    '500', '592', '601', '729', '850', '892', '931', '992',
  ],
  // Alajärvi, Alavus, Evijärvi, Ilmajoki, Isojoki, Isokyrö, Karijoki, Kauhajoki, Kauhava, Kuortane,
  // Kurikka, Lappajärvi, Lapua, Seinäjoki, Soini, Teuva, Vimpeli, Ähtäri
  'etela-pohjanmaa': [
    '005', '010', '052', '145', '151', '152', '218', '232', '233', '300', '301', '403', '408', '743',
    '759', '846', '934', '989',
  ],
  // Kaskinen, Korsnäs, Kristiinankaupunki, Kruunupyy, Laihia, Luoto, Maalahti, Mustasaari, Närpiö,
  // Pedersöre, Pietarsaari, Uusikaarlepyy, Vaasa, Vöyri
  pohjanmaa: ['231', '280', '287', '288', '399', '440', '475', '499', '545', '599', '598', '893', '905', '946'],
  // Halsua, Kannus, Kaustinen, Kokkola, Lestijärvi, Perho, Toholampi, Veteli
  'keski-pohjanmaa': ['074', '217', '236', '272', '421', '584', '849', '924'],
  // Alavieska, Haapajärvi, Haapavesi, Hailuoto, Ii, Kalajoki, Kempele, Kuusamo, Kärsämäki, Liminka,
  // Lumijoki, Merijärvi, Muhos, Nivala, Oulainen, Oulu, Pudasjärvi, Pyhäjoki, Pyhäjärvi, Pyhäntä,
  // Raahe, Reisjärvi, Sievi, Siikajoki, Siikalatva, Taivalkoski, Tyrnävä, Utajärvi, Vaala, Ylivieska
  'pohjois-pohjanmaa': [
    '009', '069', '071', '072', '139', '208', '244', '305', '317', '425', '436', '483', '494', '535',
    '563', '564', '615', '625', '626', '630', '678', '691', '746', '748', '791', '832', '859', '889',
    '785', '977',
  ],
  // Hyrynsalmi, Kajaani, Kuhmo, Paltamo, Puolanka, Ristijärvi, Sotkamo, Suomussalmi
  kainuu: ['105', '205', '290', '578', '620', '697', '765', '777'],
  // Enontekiö, Inari, Kemi, Kemijärvi, Keminmaa, Kittilä, Kolari, Muonio, Pelkosenniemi, Pello, Posio,
  // Ranua, Rovaniemi, Salla, Savukoski, Simo, Sodankylä, Tervola, Tornio, Utsjoki, Ylitornio
  lappi: [
    '047', '148', '240', '320', '241', '261', '273', '498', '583', '854', '614', '683', '698', '732',
    '742', '751', '758', '845', '851', '890', '976',
  ],
};

/**
 * Åland's municipalities (Ahvenanmaa / Åland): under the Autonomy Act (1144/1991) Åland organises
 * its own social and health care, so no wellbeing services county serves them.
 */
export const ALAND_MUNICIPALITIES: readonly string[] = Object.freeze([
  '035', '043', '060', '062', '065', '076', '170', '295', '318', '417', '438', '478', '736', '766', '771', '941',
]);

export const WELLBEING_COUNTIES: readonly WellbeingCounty[] = Object.freeze(
  COUNTY_IDS.map((id) =>
    Object.freeze({
      id,
      nameFi: NAMES[id][0],
      nameSv: NAMES[id][1],
      kind: id === 'helsinki' ? 'city' : 'county',
      municipalities: Object.freeze([...COUNTY_MEMBERS[id]].sort()),
    }),
  ),
);

const COUNTY_BY_ID: ReadonlyMap<string, WellbeingCounty> = new Map(WELLBEING_COUNTIES.map((c) => [c.id, c]));
const COUNTY_BY_MUNICIPALITY: ReadonlyMap<string, WellbeingCounty> = new Map(
  WELLBEING_COUNTIES.flatMap((county) => county.municipalities.map((code) => [code, county] as const)),
);

export const isCountyId = (id: unknown): id is CountyId => typeof id === 'string' && COUNTY_BY_ID.has(id);

export const countyById = (id: string): WellbeingCounty | undefined => COUNTY_BY_ID.get(id);

/** The county serving a municipality, or why there is none (a reason that names no person). */
export type CountyRoute =
  | { readonly ok: true; readonly county: WellbeingCounty }
  | { readonly ok: false; readonly reason: 'aland' | 'unknown-municipality'; readonly message: string };

export function countyOf(municipality: string): CountyRoute {
  const county = COUNTY_BY_MUNICIPALITY.get(municipality);
  if (county) return { ok: true, county };
  if (ALAND_MUNICIPALITIES.includes(municipality)) {
    const name = municipalityByCode(municipality)?.nameFi ?? municipality;
    return {
      ok: false,
      reason: 'aland',
      message: `municipality '${municipality}' (${name}) is in Åland, which organises its own social and health care: no wellbeing services county serves it`,
    };
  }
  return {
    ok: false,
    reason: 'unknown-municipality',
    message: isMunicipalityCode(municipality)
      ? `municipality '${municipality}' has no wellbeing services county in the ${WELLBEING_CLASSIFICATION.year} table`
      : `'${municipality}' is not a current municipality code`,
  };
}

/** The envelope system name of a county: `wellbeing:<id>`. */
export const countySystemName = (county: CountyId): `wellbeing:${CountyId}` => `wellbeing:${county}`;

/** Every current municipality with no county: Åland's, and (a table error, tested) nothing else. */
export const municipalitiesWithoutCounty = (): readonly string[] =>
  MUNICIPALITIES.map((m) => m.code).filter((code) => !COUNTY_BY_MUNICIPALITY.has(code));
