/**
 * UMA mock: Migri's register of aliens in the wire format koto-hub defines for it
 * (contracts/uma, README.md there), answering from the fixture population.
 *
 *   POST /  (SOAP 1.1, X-Road headers, service UlkomaalainenKysely or SuojelunSaajatKysely)
 *
 * Person query: a person whose `residence` is null (or who is not in the population) is
 * `EI_LOYTYNYT`; otherwise the recorded permits (by default one granted on the first permit date
 * with the recorded type and ground), the first home municipality (by default the home
 * municipality and its start), citizenship, the trafficking period and family links as recorded. Compensation is the mock's approximation of Act 681/2023 ch. 8 (calculated compensation
 * for international protection, quota refugees included, and for victims of trafficking): three
 * years from the first permit date, four for quota refugees; `compensation` in the options
 * replaces the rule.
 *
 * List query: `PopulationIndex.umaProtectionList(M)` (home municipality M, ground international
 * protection or a recorded victim of trafficking, whatever the first permit date), sorted by
 * code, paged; a page past the end is empty.
 *
 * System faults besides the framework's: `soapFault` answers a SOAP 1.1 Fault envelope;
 * `malformed` cuts the answer in half; custom `unknownPeruste` answers a ground outside the
 * contract, `wrongMessageId` echoes another X-Road id.
 */
import { isValidHetu } from '#contracts/hetu';
import { notFoundResidence, type CompensationV1, type ResidenceV1 } from '#contracts/canonical/residence';
import type { FixturePerson, FixturePopulation } from '#contracts/population';
import { GROUND_TO_PERUSTE, toUmaPersonResponse } from '#contracts/uma/mapper';
import {
  UMA_LIST_SERVICE,
  UMA_PERSON_SERVICE,
  buildUmaListResponse,
  buildUmaPersonResponse,
  readUmaListRequest,
  readUmaPersonRequest,
  type UmaListResponse,
} from '#contracts/uma/wire';
import { buildSoapResponse } from '#contracts/xroad/soap';
import {
  readSoapRequest,
  soapAnswer,
  soapFaultAnswer,
  startMockServer,
  type MockRoute,
  type MockServer,
  type SystemMockOptions,
} from '#mocks/framework';
import { asPopulationIndex, type PopulationIndex } from '#mocks/population-index';

export interface UmaMockOptions extends SystemMockOptions {
  /** Compensation of a person with a residence record on `asOf`; the default is described above. */
  readonly compensation?: (person: FixturePerson, asOf: string) => CompensationV1;
}

const addYears = (iso: string, years: number): string => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
};

/** The mock's compensation rule (see the module comment). */
export function defaultCompensation(person: FixturePerson, asOf: string): CompensationV1 {
  const r = person.residence;
  if (!r || !(r.ground === 'international-protection' || r.traffickingVictim)) return { eligible: false, until: null };
  const until = addYears(r.firstPermitDate, r.quotaRefugee ? 4 : 3);
  return { eligible: r.firstPermitDate <= asOf && asOf <= until, until };
}

/** The canonical residence the mock answers with for `hetu` on `asOf`. */
export function residenceOf(
  population: PopulationIndex,
  hetu: string,
  asOf: string,
  compensation: (person: FixturePerson, asOf: string) => CompensationV1 = defaultCompensation,
): ResidenceV1 {
  const person = population.byHetu(hetu) ?? (isValidHetu(hetu) ? population.byHetu(hetu.trim().toUpperCase()) : undefined);
  const r = person?.residence;
  if (!person || !r) return notFoundResidence(hetu);
  const firstHome = person.homeMunicipalitySince ? { code: person.homeMunicipality, since: person.homeMunicipalitySince } : null;
  return {
    hetu: person.hetu,
    found: true,
    firstPermitDate: r.firstPermitDate,
    permitType: r.permitType,
    ground: r.ground,
    quotaRefugee: r.quotaRefugee,
    traffickingVictim: r.traffickingVictim,
    compensation: compensation(person, asOf),
    permits: (r.permits ?? [{ permitType: r.permitType, ground: r.ground, from: r.firstPermitDate, to: null }]).map((p) => ({
      permitType: p.permitType,
      ground: p.ground,
      grantedOn: p.from,
      from: p.from,
      until: p.to,
    })),
    firstHomeMunicipality: r.firstHomeMunicipality === undefined ? firstHome : r.firstHomeMunicipality,
    finnishCitizenSince: r.finnishCitizenSince ?? null,
    traffickingVictimPeriod: !r.traffickingVictim
      ? null
      : r.traffickingVictimPeriod === undefined
        ? { from: r.firstPermitDate, until: null }
        : r.traffickingVictimPeriod && { from: r.traffickingVictimPeriod.from, until: r.traffickingVictimPeriod.to },
    familyLinks: r.family ?? [],
  };
}

/** One page of the protection-recipient list of `municipality`. */
export function umaListPage(population: PopulationIndex, municipality: string, page: number, pageSize: number): UmaListResponse {
  const all = population.umaProtectionList(municipality);
  const rows = all.slice((page - 1) * pageSize, page * pageSize);
  return {
    Kuntakoodi: municipality,
    Sivu: page,
    SivunKoko: pageSize,
    Yhteensa: all.length,
    Henkilot: rows.flatMap((person) =>
      person.residence
        ? [
            {
              Henkilotunnus: person.hetu,
              Peruste: GROUND_TO_PERUSTE[person.residence.ground],
              Kiintiopakolainen: person.residence.quotaRefugee,
              IhmiskaupanUhri: person.residence.traffickingVictim,
              EnsimmainenOleskeluoikeusPvm: person.residence.firstPermitDate,
            },
          ]
        : [],
    ),
  };
}

export function createUmaMock(population: FixturePopulation | PopulationIndex, options: UmaMockOptions = {}): Promise<MockServer> {
  const route: MockRoute<PopulationIndex> = {
    name: 'uma.soap',
    method: 'POST',
    pattern: /^\/(?:cgi-bin\/consumer_proxy)?$/,
    handle(req, _match, pop) {
      const read = readSoapRequest(req.body);
      if ('refused' in read) return read.refused;
      const { envelope } = read;
      const service = envelope.headers?.service;
      if (!envelope.headers || !service) return soapFaultAnswer('Client.MissingHeaderField', 'X-Road headers are missing');
      if (service.memberCode !== UMA_PERSON_SERVICE.memberCode || service.subsystemCode !== UMA_PERSON_SERVICE.subsystemCode) {
        return soapFaultAnswer('Server.ServerProxy.UnknownService', 'Unknown service', envelope);
      }
      try {
        if (service.serviceCode === UMA_PERSON_SERVICE.serviceCode) {
          const request = readUmaPersonRequest(envelope.body);
          const residence = residenceOf(pop, request.Henkilotunnus, request.Tilannepaiva, options.compensation);
          const answer = buildUmaPersonResponse(toUmaPersonResponse(residence, request.Tilannepaiva));
          return soapAnswer(200, buildSoapResponse(envelope.headers, answer));
        }
        if (service.serviceCode === UMA_LIST_SERVICE.serviceCode) {
          const request = readUmaListRequest(envelope.body);
          const page = umaListPage(pop, request.Kuntakoodi, request.Sivu, request.SivunKoko);
          return soapAnswer(200, buildSoapResponse(envelope.headers, buildUmaListResponse(page)));
        }
      } catch (error) {
        // Contract errors name fields, never values.
        return soapFaultAnswer('Client', error instanceof Error && error.name === 'UmaContractError' ? error.message : 'Invalid request', envelope);
      }
      return soapFaultAnswer('Server.ServerProxy.UnknownService', 'Unknown service', envelope);
    },
  };

  return startMockServer({
    ...options,
    system: 'uma',
    routes: [route],
    population: asPopulationIndex(population),
    custom: {
      unknownPeruste: async (_req, ctx) => {
        const normal = await ctx.normal();
        return { ...normal, body: normal.body.replace(/<uma:Peruste>[^<]*<\/uma:Peruste>/, '<uma:Peruste>TUNTEMATON</uma:Peruste>') };
      },
      wrongMessageId: async (_req, ctx) => {
        const normal = await ctx.normal();
        return { ...normal, body: normal.body.replace(/<xrd:id>[^<]*<\/xrd:id>/, '<xrd:id>00000000-0000-4000-8000-000000000000</xrd:id>') };
      },
    },
  });
}
