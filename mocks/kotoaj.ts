/**
 * Koto-AJ mock (KEHA centre's integration customer information system), REST/JSON as
 * contracts/kotoaj/wire.ts defines it, behind the security-server stand-in. It stores each write
 * once per `viite`: the same document again is answered 200 with the first answer, another
 * document under a used `viite` 409 `Client.Conflict`; a review naming a plan it does not hold is
 * refused 422 (`SUUNNITELMA_PUUTTUU`). Faults (5xx, timeouts, garbage) come from the framework like
 * every mock's. `writes` lets a test see what was stored, in the order it was.
 */
import type { FixturePopulation } from '#contracts/population';
import type * as z from '#contracts/zod';
import {
  arviointiKirjaus,
  KOTOAJ_ERROR_TYPES,
  KOTOAJ_SERVICE,
  palvelusuoritusKirjaus,
  suunnitelmaKirjaus,
  tarkistusKirjaus,
  type KirjausVastaus,
  type KotoAjServiceKey,
} from '#contracts/kotoaj/wire';
import { json, startMockServer, xroadRestError, type MockRequest, type MockResponse, type MockRoute, type MockServer, type SystemMockOptions } from '#mocks/framework';
import { asPopulationIndex, type PopulationIndex } from '#mocks/population-index';

const s = KOTOAJ_SERVICE;
const servicePath = (service: KotoAjServiceKey): RegExp =>
  new RegExp(`^/r1/([^/]+)/${s.memberClass}/${s.memberCode}/${s.subsystemCode}/${s.services[service]}/${s.versions[service]}/?$`);

export interface StoredKotoAjWrite {
  readonly service: KotoAjServiceKey;
  readonly viite: string;
  readonly tunniste: string;
}

export interface KotoAjMock extends MockServer {
  /** The writes stored, in order (repeats not counted). */
  readonly writes: readonly StoredKotoAjWrite[];
}

const schemas = { assessments: arviointiKirjaus, plans: suunnitelmaKirjaus, reviews: tarkistusKirjaus, completions: palvelusuoritusKirjaus } as const;

export function createKotoAjMock(population: FixturePopulation | PopulationIndex, options: SystemMockOptions = {}): Promise<KotoAjMock> {
  const answers = new Map<string, { fingerprint: string; answer: KirjausVastaus }>();
  const writes: StoredKotoAjWrite[] = [];
  const route = (service: KotoAjServiceKey): MockRoute<PopulationIndex> => ({
    name: `kotoaj.${service}`,
    method: 'POST',
    pattern: servicePath(service),
    handle(req: MockRequest): MockResponse {
      if (typeof req.headers['x-road-client'] !== 'string') return xroadRestError(400, KOTOAJ_ERROR_TYPES.invalid, 'the X-Road-Client header is missing', 'X-Road-Client');
      let body: unknown;
      try {
        body = JSON.parse(req.body);
      } catch {
        return xroadRestError(400, KOTOAJ_ERROR_TYPES.invalid, 'the write is not JSON', '(body)');
      }
      const parsed = (schemas[service] as z.ZodMiniType<{ viite: string; suunnitelmaViite?: string | null }>).safeParse(body);
      if (!parsed.success) {
        return xroadRestError(400, KOTOAJ_ERROR_TYPES.invalid, 'invalid write', parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
      }
      const write = parsed.data;
      const fingerprint = JSON.stringify(write);
      const earlier = answers.get(write.viite);
      if (earlier) {
        return earlier.fingerprint === fingerprint
          ? json(200, earlier.answer)
          : xroadRestError(409, KOTOAJ_ERROR_TYPES.conflict, 'viite was already used for a different document', 'viite');
      }
      if (service === 'reviews' && !writes.some((w) => w.service === 'plans' && w.viite === write.suunnitelmaViite)) {
        return xroadRestError(422, KOTOAJ_ERROR_TYPES.rule, 'suunnitelmaViite: no such plan', 'SUUNNITELMA_PUUTTUU');
      }
      const answer = { viite: write.viite, tunniste: `KAJ-${String(writes.length + 1).padStart(6, '0')}`, huomautukset: [] };
      answers.set(write.viite, { fingerprint, answer });
      writes.push({ service, viite: write.viite, tunniste: answer.tunniste });
      return json(201, answer);
    },
  });
  const index = asPopulationIndex(population);
  return startMockServer({
    ...options,
    system: 'kotoaj',
    routes: (['assessments', 'plans', 'reviews', 'completions'] as const).map(route),
    population: index,
    faultBody: (faultcode, faultstring) => xroadRestError(500, faultcode, faultstring, ''),
    onReset: () => {
      answers.clear();
      writes.length = 0;
    },
  }).then((server) => Object.assign(server, { writes }));
}
