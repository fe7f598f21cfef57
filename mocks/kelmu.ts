/**
 * Kelmu mock: Kela's list per municipality of immigrants receiving basic social assistance or child
 * home care allowance, paged, in the wire format of contracts/kelmu (defined by koto-hub).
 *
 *   GET /r1/{instance}/GOV/0246246-0/kelmu/kotoutumislista/v1/{kunta}?paiva=&sivu=&sivukoko=
 *
 * Rows come from the population's Kela records (PopulationIndex.kelmuList), sorted by hetu, so page
 * N is the same on every call. Errors are X-Road REST errors `{"type","message","detail"}`.
 */
import type { FixturePopulation } from '#contracts/population';
import { toKelmuWirePage } from '#contracts/kelmu/mapper';
import { KELMU_DEFAULT_PAGE_SIZE, KELMU_MAX_PAGE_SIZE, KELMU_SERVICE } from '#contracts/kelmu/wire';
import {
  json,
  startMockServer,
  xroadEchoHeaders,
  xroadRestError,
  type MockRequest,
  type MockResponse,
  type MockRoute,
  type MockServer,
  type SystemMockOptions,
} from '#mocks/framework';
import { asPopulationIndex, type PopulationIndex } from '#mocks/population-index';

const s = KELMU_SERVICE;
const LIST_PATH = new RegExp(
  `^/r1/([^/]+)/${s.memberClass}/${s.memberCode}/${s.subsystemCode}/${s.serviceCode}/${s.serviceVersion}/([^/]+)/?$`,
);

const badRequest = (detail: string, message: string): MockResponse =>
  xroadRestError(400, 'Client.InvalidRequest', message, detail);

const isRealDate = (text: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
};

/** Reads a positive integer query parameter; `absent` when it is left out, null when not an integer ≥ 1. */
const positiveInt = (req: MockRequest, name: string, absent: number): number | null => {
  const raw = req.query.get(name);
  if (raw === null) return absent;
  return /^[1-9]\d{0,6}$/.test(raw) ? Number(raw) : null;
};

export const kelmuListRoute: MockRoute<PopulationIndex> = {
  name: 'kelmu.list',
  method: 'GET',
  pattern: LIST_PATH,
  handle(req, match, population) {
    const instance = match[1] ?? '';
    const municipality = match[2] ?? '';
    const echo = xroadEchoHeaders(
      req,
      `${instance}/${s.memberClass}/${s.memberCode}/${s.subsystemCode}/${s.serviceCode}/${s.serviceVersion}`,
    );
    if (typeof req.headers['x-road-client'] !== 'string') {
      return badRequest('X-Road-Client', 'the X-Road-Client header is missing');
    }
    if (!/^\d{3}$/.test(municipality)) return badRequest('kunta', 'kunta must be a three-digit municipality code');
    const date = req.query.get('paiva');
    if (date === null || !isRealDate(date)) return badRequest('paiva', 'paiva must be a date YYYY-MM-DD');
    const page = positiveInt(req, 'sivu', 1);
    if (page === null) return badRequest('sivu', 'sivu must be an integer of 1 or more');
    const pageSize = positiveInt(req, 'sivukoko', KELMU_DEFAULT_PAGE_SIZE);
    if (pageSize === null || pageSize > KELMU_MAX_PAGE_SIZE) {
      return badRequest('sivukoko', `sivukoko must be an integer from 1 to ${KELMU_MAX_PAGE_SIZE}`);
    }

    const list = population.kelmuList(municipality, date);
    const body = toKelmuWirePage(list, { municipality, date, page, pageSize });
    if (page > Math.max(1, body.sivuja)) {
      return xroadRestError(404, 'Client.NotFound', `sivu is past the last page (${body.sivuja})`, 'sivu');
    }
    return json(200, body, echo);
  },
};

/** Starts the Kelmu mock over a population. */
export function createKelmuMock(
  population: FixturePopulation | PopulationIndex,
  options: SystemMockOptions = {},
): Promise<MockServer> {
  return startMockServer({
    ...options,
    system: 'kelmu',
    routes: [kelmuListRoute],
    population: asPopulationIndex(population),
    // Kelmu is REST: a `soapFault` effect becomes the X-Road REST error of a failed service call.
    faultBody: (faultcode, faultstring) => xroadRestError(500, faultcode, faultstring, ''),
    custom: {
      /** A page whose `sivuja` disagrees with the row count (list changed between pages). */
      inconsistentPaging: async (_req, ctx) => {
        const normal = await ctx.normal();
        if (normal.status !== 200) return normal;
        const page = JSON.parse(normal.body) as { sivuja: number; rivejaYhteensa: number };
        return { ...normal, body: JSON.stringify({ ...page, rivejaYhteensa: page.rivejaYhteensa + 1, sivuja: page.sivuja + 1 }) };
      },
      /** The page with a malformed benefit code in its first row. */
      unknownBenefit: async (_req, ctx) => {
        const normal = await ctx.normal();
        if (normal.status !== 200) return normal;
        const page = JSON.parse(normal.body) as { rivit: Record<string, unknown>[] };
        const rivit = page.rivit.map((row, i) => (i === 0 ? { ...row, etuus: 'ASUMISTUKI' } : row));
        return { ...normal, body: JSON.stringify({ ...page, rivit }) };
      },
    },
  });
}
