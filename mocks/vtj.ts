/**
 * VTJ mock: DVV's population information system as the hub meets it through X-Road, answering
 * from the fixture population in the wire formats of contracts/vtj.
 *
 *   POST /  (SOAP 1.1, X-Road headers)             person query HenkilonTunnusKysely
 *   GET  /r1/{instance}/GOV/0245437-2/VTJmutpa/api/v1/kirjausavain/{YYYY-MM-DD}
 *   POST /r1/{instance}/GOV/0245437-2/VTJmutpa/api/v1/muutokset
 *
 * Person query: an unknown (or malformed) code gets VTJ's fault answer `0001` (`response/faultCode`,
 * as VTJ answers it; `unknownCodeAnswer: 'paluukoodi'` answers Paluukoodi 0001 instead); a person with a
 * date of death 0007, with the record; everyone else 0000. Finnish citizenship goes out as
 * `SuomenKansalaisuusTietokoodi` only, as the PERUSJHHS2 product sends it, and every other
 * nationality as a `Kansalaisuus` group with its ISO 3166 numeric code; dates as `vvvvkkpp`,
 * native language `99` when unknown. A person with turvakielto is answered WITH the
 * address by default (`turvakieltoAddress: 'include'`), the worst case the hub must handle: its
 * mapper drops the address.
 *
 * Change interface: tests append changes (`appendChange`, in the order VTJ recorded them); each
 * gets the next key (kirjausavain), starting above `FIRST_KIRJAUSAVAIN`. `kirjausavain/{date}`
 * gives the key just before the first change recorded on or after that date (the newest key when
 * there is none); `muutokset` gives, for the codes asked about,
 * the changes after the key, at most `changesPageSize` per answer, with `ajanTasalla` true once
 * the last recorded change has been read. A `hetulista` of more than `maxHetulista` codes (500, as
 * VTJmutpa takes) is refused with 400; `changeRequests()` keeps what each request asked.
 *
 * System faults besides the framework's: `soapFault` answers a SOAP 1.1 Fault envelope;
 * `malformed` cuts the answer in half; custom `wrongPaluukoodi` (params `koodi` default `9999`,
 * `teksti`, `dropHenkilo`) answers a valid-looking answer with another return code;
 * `wrongMessageId` echoes another X-Road id; `doctype` answers a document with an
 * entity-expansion DTD; `restError` (params `status` default 500, `type` default
 * `Server.ServerProxy.ServiceFailed`) answers the X-Road REST error body, for the REST routes.
 */
import { isValidHetu } from '#contracts/hetu';
import { municipalityByCode } from '#contracts/municipalities';
import type { FixturePerson, FixturePopulation } from '#contracts/population';
import { isoToVtjDate, languageToVtj, nationalityToVtj } from '#contracts/vtj/mapper';
import {
  PALUUKOODI_TEXTS,
  VTJ_DEFAULT_PRODUCT,
  VTJ_SERVICE,
  buildVtjResponse,
  readVtjRequestBody,
  type VtjAnswer,
  type VtjHenkilo,
} from '#contracts/vtj/wire';
import { FINLAND_ALPHA3 } from '#contracts/iso3166';
import { VTJ_MUTPA_BATCH, VTJ_MUTPA_SERVICE, parseMuutoksetRequest, type Muutos, muutos as muutosSchema } from '#contracts/vtj/changes';
import { buildSoapResponse } from '#contracts/xroad/soap';
import {
  json,
  readSoapRequest,
  soapAnswer,
  soapFaultAnswer,
  startMockServer,
  xroadEchoHeaders,
  xroadRestError,
  type MockRoute,
  type MockServer,
  type SystemMockOptions,
} from '#mocks/framework';
import { asPopulationIndex, type PopulationIndex } from '#mocks/population-index';

export const FIRST_KIRJAUSAVAIN = 100_000_000;
export const DEFAULT_CHANGES_PAGE_SIZE = 100;

export interface VtjMockOptions extends SystemMockOptions {
  /** Whether a person with turvakielto is answered with the address (default) or without. */
  readonly turvakieltoAddress?: 'include' | 'omit';
  /** Most changes in one `muutokset` answer (default 100). */
  readonly changesPageSize?: number;
  /** Most codes one `muutokset` request may ask about (default VTJ_MUTPA_BATCH, 500: VTJmutpa's limit). */
  readonly maxHetulista?: number;
  /** How an unknown code is answered: VTJ's fault answer (default) or Paluukoodi 0001. */
  readonly unknownCodeAnswer?: 'fault' | 'paluukoodi';
  /** `tietojenPoimintaaika` written in answers (default: now). */
  readonly clock?: () => Date;
}

export interface VtjMock extends MockServer {
  /** Records changes in the change interface; returns the key each got. */
  appendChange(...changes: Muutos[]): number[];
  /** Every recorded change with its key. */
  changes(): readonly { key: number; change: Muutos }[];
  /**
   * Every `muutokset` request that passed its contract, refused ones included, in order: the key it
   * asked from and its codes (the fixture's; kept for the tests' eyes, never logged).
   */
  changeRequests(): readonly { key: number; hetulista: readonly string[] }[];
}

/** VTJ's own wording of its fault answer for a code it does not know (VRK's test service). */
export const VTJ_NOT_FOUND_FAULT_STRING = 'Hakuperusteella ei löydy tietoja vtj:stä';

const poimintaaika = (now: Date): string => now.toISOString().replace(/[-:T]/g, '').slice(0, 14);

/** The `Henkilo` VTJ would give for a fixture person. */
export function henkiloOf(person: FixturePerson, options: { turvakieltoAddress?: 'include' | 'omit' } = {}): VtjHenkilo {
  const kunta = municipalityByCode(person.homeMunicipality);
  const withAddress = person.address !== null && (!person.nonDisclosure || options.turvakieltoAddress !== 'omit');
  return {
    Henkilotunnus: { value: person.hetu, voimassaolokoodi: '1' },
    NykyinenSukunimi: { Sukunimi: person.lastName },
    NykyisetEtunimet: { Etunimet: person.firstNames },
    VakinainenKotimainenLahiosoite:
      withAddress && person.address
        ? {
            LahiosoiteS: person.address.street,
            LahiosoiteR: '',
            Postinumero: person.address.postalCode,
            PostitoimipaikkaS: person.address.postOffice,
            PostitoimipaikkaR: '',
            AsuminenAlkupvm: isoToVtjDate(person.homeMunicipalitySince),
            AsuminenLoppupvm: '',
          }
        : undefined,
    Kotikunta: {
      Kuntanumero: person.homeMunicipality,
      KuntaS: kunta?.nameFi ?? '',
      KuntaR: kunta?.nameSv ?? '',
      KuntasuhdeAlkupvm: isoToVtjDate(person.homeMunicipalitySince),
    },
    Kuolintiedot: { Kuollut: person.dateOfDeath ? '1' : '', Kuolinpvm: isoToVtjDate(person.dateOfDeath) },
    Aidinkieli: { Kielikoodi: languageToVtj(person.nativeLanguage), KieliS: '', KieliR: '' },
    Turvakielto: { TurvakieltoTieto: person.nonDisclosure ? '1' : '', TurvakieltoPaattymispvm: '' },
    SuomenKansalaisuusTietokoodi: person.nationalities.includes(FINLAND_ALPHA3) ? '1' : '0',
    Kansalaisuus: person.nationalities
      .filter((alpha3) => alpha3 !== FINLAND_ALPHA3)
      .map((alpha3) => ({ Kansalaisuuskoodi3: nationalityToVtj(alpha3), KansalaisuusS: '', KansalaisuusR: '' })),
  };
}

/** The answer VTJ would give about `hetu`. */
export function vtjAnswerFor(
  population: PopulationIndex,
  hetu: string,
  options: { turvakieltoAddress?: 'include' | 'omit'; unknownCodeAnswer?: 'fault' | 'paluukoodi'; now?: Date } = {},
): VtjAnswer {
  const person = isValidHetu(hetu) ? population.byHetu(hetu.trim().toUpperCase()) ?? population.byHetu(hetu) : undefined;
  const base = { sanomatunnus: VTJ_DEFAULT_PRODUCT, tietojenPoimintaaika: poimintaaika(options.now ?? new Date()) };
  if (!person && options.unknownCodeAnswer !== 'paluukoodi') return { faultCode: '0001', faultString: VTJ_NOT_FOUND_FAULT_STRING };
  if (!person) return { ...base, Paluukoodi: { koodi: '0001', teksti: PALUUKOODI_TEXTS['0001'] ?? '' } };
  const koodi = person.dateOfDeath !== null ? '0007' : '0000';
  return { ...base, Paluukoodi: { koodi, teksti: PALUUKOODI_TEXTS[koodi] ?? '' }, Henkilo: henkiloOf(person, options) };
}

/** Billion laughs, cut short: what a hostile or broken provider might send. */
const ENTITY_BOMB =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>';

const m = VTJ_MUTPA_SERVICE;
const MUTPA_BASE = `^/r1/([^/]+)/${m.memberClass}/${m.memberCode}/${m.subsystemCode}/${m.serviceCode}/v1`;

export async function createVtjMock(population: FixturePopulation | PopulationIndex, options: VtjMockOptions = {}): Promise<VtjMock> {
  const index = asPopulationIndex(population);
  const clock = options.clock ?? (() => new Date());
  const pageSize = options.changesPageSize ?? DEFAULT_CHANGES_PAGE_SIZE;
  const maxHetulista = options.maxHetulista ?? VTJ_MUTPA_BATCH;
  let changes: { key: number; change: Muutos }[] = [];
  let changeRequests: { key: number; hetulista: readonly string[] }[] = [];

  const personQuery: MockRoute<PopulationIndex> = {
    name: 'vtj.person',
    method: 'POST',
    pattern: /^\/(?:cgi-bin\/consumer_proxy)?$/,
    handle(req, _match, pop) {
      const read = readSoapRequest(req.body);
      if ('refused' in read) return read.refused;
      const { envelope } = read;
      const service = envelope.headers?.service;
      if (!envelope.headers) return soapFaultAnswer('Client.MissingHeaderField', 'X-Road headers are missing');
      if (service?.memberCode !== VTJ_SERVICE.memberCode || service.subsystemCode !== VTJ_SERVICE.subsystemCode || service.serviceCode !== VTJ_SERVICE.serviceCode) {
        return soapFaultAnswer('Server.ServerProxy.UnknownService', 'Unknown service', envelope);
      }
      let request;
      try {
        request = readVtjRequestBody(envelope.body);
      } catch {
        return soapFaultAnswer('Client', 'The body is not a valid HenkilonTunnusKysely request', envelope);
      }
      const answer = vtjAnswerFor(pop, request.Henkilotunnus, {
        turvakieltoAddress: options.turvakieltoAddress,
        unknownCodeAnswer: options.unknownCodeAnswer,
        now: clock(),
      });
      return soapAnswer(200, buildSoapResponse(envelope.headers, buildVtjResponse(answer, request)));
    },
  };

  const kirjausavain: MockRoute<PopulationIndex> = {
    name: 'vtj.kirjausavain',
    method: 'GET',
    pattern: new RegExp(`${MUTPA_BASE}/kirjausavain/([^/]+)$`),
    handle(req, match) {
      if (typeof req.headers['x-road-client'] !== 'string') {
        return xroadRestError(400, 'Client.InvalidRequest', 'the X-Road-Client header is missing', 'X-Road-Client');
      }
      const date = match[2] ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return xroadRestError(400, 'Client.InvalidRequest', 'the date must be YYYY-MM-DD', 'date');
      const first = changes.find((c) => c.change.muutospv.slice(0, 10) >= date);
      const key = first ? first.key - 1 : (changes.at(-1)?.key ?? FIRST_KIRJAUSAVAIN);
      return json(200, { viimeisinKirjausavain: key }, xroadEchoHeaders(req, `${match[1]}/${m.memberClass}/${m.memberCode}/${m.subsystemCode}/${m.serviceCode}`));
    },
  };

  const muutokset: MockRoute<PopulationIndex> = {
    name: 'vtj.muutokset',
    method: 'POST',
    pattern: new RegExp(`${MUTPA_BASE}/muutokset$`),
    handle(req, match) {
      if (typeof req.headers['x-road-client'] !== 'string') {
        return xroadRestError(400, 'Client.InvalidRequest', 'the X-Road-Client header is missing', 'X-Road-Client');
      }
      let body: ReturnType<typeof parseMuutoksetRequest>;
      try {
        body = parseMuutoksetRequest(JSON.parse(req.body));
      } catch (error) {
        // The contract error names fields only; a JSON syntax error may quote the body, so it is not passed on.
        const detail = error instanceof SyntaxError ? 'body is not JSON' : (error as Error).message;
        return xroadRestError(400, 'Client.InvalidRequest', 'invalid muutokset request', detail);
      }
      changeRequests.push({ key: body.viimeisinKirjausavain, hetulista: body.hetulista });
      if (body.hetulista.length > maxHetulista) {
        return xroadRestError(400, 'Client.InvalidRequest', 'invalid muutokset request', `hetulista: must hold at most ${maxHetulista} codes`);
      }
      const wanted = new Set(body.hetulista.map((h) => h.trim().toUpperCase()));
      const after = changes.filter((c) => c.key > body.viimeisinKirjausavain);
      const found: Muutos[] = [];
      let last = body.viimeisinKirjausavain;
      for (const entry of after) {
        if (found.length >= pageSize) break;
        last = entry.key;
        if (wanted.has(entry.change.henkilotunnus.toUpperCase())) found.push(entry.change);
      }
      const newest = changes.at(-1)?.key ?? FIRST_KIRJAUSAVAIN;
      return json(
        200,
        { viimeisinKirjausavain: last, ajanTasalla: last >= newest, muutokset: found },
        xroadEchoHeaders(req, `${match[1]}/${m.memberClass}/${m.memberCode}/${m.subsystemCode}/${m.serviceCode}`),
      );
    },
  };

  const server = await startMockServer({
    ...options,
    system: 'vtj',
    routes: [personQuery, kirjausavain, muutokset],
    population: index,
    onReset: () => {
      changes = [];
      changeRequests = [];
    },
    custom: {
      wrongPaluukoodi: async (_req, ctx) => {
        const normal = await ctx.normal();
        if (normal.status !== 200 || !normal.body.includes('<Paluukoodi')) return normal;
        const koodi = typeof ctx.params['koodi'] === 'string' ? ctx.params['koodi'] : '9999';
        const teksti = typeof ctx.params['teksti'] === 'string' ? ctx.params['teksti'] : 'Haku onnistui';
        let body = normal.body.replace(/<Paluukoodi koodi="[^"]*">[^<]*<\/Paluukoodi>|<Paluukoodi koodi="[^"]*"\/>/, `<Paluukoodi koodi="${koodi.replace(/[^-0-9]/g, '')}">${teksti.replace(/[<&]/g, '')}</Paluukoodi>`);
        if (ctx.params['dropHenkilo'] === true) body = body.replace(/<Henkilo>[\s\S]*<\/Henkilo>/, '');
        return { ...normal, body };
      },
      wrongMessageId: async (_req, ctx) => {
        const normal = await ctx.normal();
        return { ...normal, body: normal.body.replace(/<xrd:id>[^<]*<\/xrd:id>/, '<xrd:id>00000000-0000-4000-8000-000000000000</xrd:id>') };
      },
      doctype: () => soapAnswer(200, ENTITY_BOMB),
      restError: (_req, ctx) => {
        const status = typeof ctx.params['status'] === 'number' ? ctx.params['status'] : 500;
        const type = typeof ctx.params['type'] === 'string' ? ctx.params['type'] : 'Server.ServerProxy.ServiceFailed';
        return xroadRestError(status, type, 'injected failure', '');
      },
    },
  });

  return {
    ...server,
    appendChange(...added: Muutos[]): number[] {
      return added.map((change) => {
        const parsed = muutosSchema.parse(change);
        const key = (changes.at(-1)?.key ?? FIRST_KIRJAUSAVAIN) + 1;
        changes.push({ key, change: parsed });
        return key;
      });
    },
    changes: () => [...changes],
    changeRequests: () => [...changeRequests],
  };
}
