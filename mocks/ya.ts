/**
 * YA mock (KEHA centre's general e-service system), in the transport and documents koto-hub defines
 * for it (contracts/ya/wire.ts, contracts/ya/README.md), behind the security-server stand-in.
 *
 *   POST …/ya/hakemukset/v1        takes a claim once per claim number: 202 with its receipt
 *                                  (`Vastaanottoilmoitus`), 200 with the same receipt for the same
 *                                  claim again, 409 for another document under a used number, 400
 *                                  for one that breaks the contract (naming fields, never values)
 *   POST …/ya/taydennykset/v1      the answer to a supplement request (`Taydennys`): 202, then the
 *                                  claim is decided and paid; 200 for the same answer again; 404
 *                                  `Client.NoSuchRequest` for a request YA did not make
 *   GET  …/ya/vastaukset/v1/{n}    the n-th answer once it is due: a supplement request
 *                                  (`Taydennyspyynto`, when `askSupplement` asks), the decision (`Korvauspaatos`)
 *                                  and the payment (`Maksuilmoitus`) of each claim, `answerDelayMs`
 *                                  after the claim arrived (the server's `timing` clock); 404
 *                                  `Client.NoSuchAnswer` before
 *
 * `decide` chooses each row's outcome (default: every row accepted in full); `pay` the paid amount
 * (default: the decided total). Faults (5xx, timeouts, garbage) come from the framework like every
 * mock's. `claims` lets a test see what YA received, in order.
 */
import type { ClaimV1 } from '#contracts/claims/claim';
import type { DecisionRowV1 } from '#contracts/ya/answers';
import { buildYaAnswerXml, readClaimXml, readSupplementXml } from '#contracts/ya/mapper';
import { YA_ERROR_TYPES, YA_SERVICE } from '#contracts/ya/wire';
import { realClock, startMockServer, xroadRestError, type MockRequest, type MockResponse, type MockRoute, type MockServer, type SystemMockOptions } from '#mocks/framework';

export interface YaMockOptions extends SystemMockOptions {
  /** Milliseconds after a claim arrived before its decision and payment can be read (default 0). */
  readonly answerDelayMs?: number;
  /** The decision of each row (default: accepted in full). */
  readonly decide?: (claim: ClaimV1) => readonly DecisionRowV1[];
  /** The amount paid for a decided total (default: the total). */
  readonly pay?: (claim: ClaimV1, decidedCents: number) => number;
  /**
   * Questions to ask before deciding a claim (default: none): YA answers the claim with a
   * `Taydennyspyynto` first, and decides and pays only once the answer `Taydennys` has come.
   */
  readonly askSupplement?: (claim: ClaimV1) => readonly { voucher: string | null; text: string }[] | null;
}

export interface YaMock extends MockServer {
  /** The claims YA took, in the order it took them (repeats not counted). */
  readonly claims: readonly ClaimV1[];
  /** The claim documents as they came, in the same order (for a test's schema check). */
  readonly documents: readonly string[];
  /** Replaces the decision rule of claims that arrive from now on (a test's own). */
  setDecide(decide: YaMockOptions['decide']): void;
  /** Gives a claim's decision or payment again as YA's next answer (YA repeating itself). */
  resend(claimNumber: string, kind: 'decided' | 'paid'): void;
  setPay(pay: YaMockOptions['pay']): void;
  setAskSupplement(ask: YaMockOptions['askSupplement']): void;
  /** The answers to supplement requests YA took, by claim number. */
  readonly supplements: ReadonlyMap<string, { readonly requestId: string; readonly answers: readonly { voucher: string | null; text: string }[] }>;
}

const XML = { 'content-type': 'application/xml; charset=utf-8' };
const xml = (status: number, body: string): MockResponse => ({ status, headers: XML, body });
const path = (service: string, tail = ''): RegExp =>
  new RegExp(`^/r1/([^/]+)/${YA_SERVICE.memberClass}/${YA_SERVICE.memberCode}/${YA_SERVICE.subsystemCode}/${service}/${YA_SERVICE.version}${tail}/?$`);

/** The payment reference and account of the mock's payments: valid ones (the README's example). */
export const YA_MOCK_PAYMENT = { reference: 'RF25202600127', iban: 'FI2112345600000785' } as const;

const acceptAll = (claim: ClaimV1): DecisionRowV1[] =>
  claim.rows.map((row) => ({ voucher: row.voucher, outcome: 'accepted', claimedCents: row.amountCents, acceptedCents: row.amountCents, reason: null }));

export function createYaMock(options: YaMockOptions = {}): Promise<YaMock> {
  const clock = options.timing ?? realClock;
  let decide = options.decide ?? acceptAll;
  let pay = options.pay ?? ((_claim: ClaimV1, decided: number) => decided);
  let askSupplement = options.askSupplement ?? (() => null);
  /** Claims waiting for the answer to their supplement request: what YA does once it comes. */
  const waiting = new Map<string, { requestId: string; decideAndPay: () => void }>();
  const supplements = new Map<string, { requestId: string; answers: { voucher: string | null; text: string }[] }>();
  const taken = new Map<string, { fingerprint: string; receipt: string }>();
  const claims: ClaimV1[] = [];
  const documents: string[] = [];
  const answers: { dueAt: number; xml: string; claimNumber: string; kind: string }[] = [];
  const day = () => new Date(clock.now()).toISOString().slice(0, 10);

  const submit: MockRoute<undefined> = {
    name: 'ya.claims',
    method: 'POST',
    pattern: path(YA_SERVICE.services.claims),
    handle(req: MockRequest): MockResponse {
      if (typeof req.headers['x-road-client'] !== 'string') return xroadRestError(400, YA_ERROR_TYPES.invalid, 'the X-Road-Client header is missing', 'X-Road-Client');
      let claim: ClaimV1;
      try {
        claim = readClaimXml(req.body);
      } catch (error) {
        // The reader's messages name fields, never values.
        return xroadRestError(400, YA_ERROR_TYPES.invalid, 'the claim breaks the contract', error instanceof Error ? error.message : 'invalid');
      }
      const fingerprint = JSON.stringify(claim);
      const earlier = taken.get(claim.claimNumber);
      if (earlier) {
        return earlier.fingerprint === fingerprint ? xml(200, earlier.receipt) : xroadRestError(409, YA_ERROR_TYPES.conflict, 'the claim number was used for another claim', 'Hakemusnumero');
      }
      claims.push(claim);
      documents.push(req.body);
      const caseId = `KEHA/${claims.length}/${day().slice(0, 4)}`;
      const receipt = buildYaAnswerXml({ kind: 'received', claimNumber: claim.claimNumber, caseId, receivedOn: day() });
      taken.set(claim.claimNumber, { fingerprint, receipt });
      const head = { claimNumber: claim.claimNumber, caseId };
      const answer = (kind: string, body: string, delayMs = options.answerDelayMs ?? 0) =>
        answers.push({ dueAt: clock.now() + delayMs, xml: body, claimNumber: claim.claimNumber, kind });
      const decideAndPay = () => {
        const rows = decide(claim);
        const decided = rows.reduce((sum, row) => sum + row.acceptedCents, 0);
        answer('decided', buildYaAnswerXml({ kind: 'decided', ...head, decidedOn: day(), rows: [...rows], acceptedCents: decided }));
        answer('paid', buildYaAnswerXml({ kind: 'paid', ...head, paidOn: day(), amountCents: pay(claim, decided), ...YA_MOCK_PAYMENT }));
      };
      const questions = askSupplement(claim);
      if (questions && questions.length > 0) {
        const requestId = `TP-${claims.length}`;
        const due = new Date(clock.now() + 30 * 86_400_000).toISOString().slice(0, 10);
        answer('supplement-requested', buildYaAnswerXml({ kind: 'supplement-requested', ...head, requestId, requestedOn: day(), dueOn: due, questions: [...questions] }), 0);
        waiting.set(claim.claimNumber, { requestId, decideAndPay });
      } else {
        decideAndPay();
      }
      return xml(202, receipt);
    },
  };

  const supplement: MockRoute<undefined> = {
    name: 'ya.supplements',
    method: 'POST',
    pattern: path(YA_SERVICE.services.supplements),
    handle(req: MockRequest): MockResponse {
      let answer;
      try {
        answer = readSupplementXml(req.body);
      } catch (error) {
        return xroadRestError(400, YA_ERROR_TYPES.invalid, 'the answer breaks the contract', error instanceof Error ? error.message : 'invalid');
      }
      const done = supplements.get(answer.claimNumber);
      if (done && done.requestId === answer.requestId) return xml(200, '');
      const open = waiting.get(answer.claimNumber);
      if (!open || open.requestId !== answer.requestId) return xroadRestError(404, YA_ERROR_TYPES.noRequest, 'no such supplement request on the claim', 'PyyntoTunnus');
      supplements.set(answer.claimNumber, { requestId: answer.requestId, answers: answer.answers });
      waiting.delete(answer.claimNumber);
      open.decideAndPay();
      return xml(202, '');
    },
  };

  const answer: MockRoute<undefined> = {
    name: 'ya.answers',
    method: 'GET',
    pattern: path(YA_SERVICE.services.answers, '/(\\d{1,9})'),
    handle(_req: MockRequest, match): MockResponse {
      const n = Number(match[2]);
      const found = answers[n - 1];
      if (!found || found.dueAt > clock.now()) return xroadRestError(404, YA_ERROR_TYPES.noAnswer, 'no such answer yet', 'n');
      return xml(200, found.xml);
    },
  };

  return startMockServer({
    ...options,
    system: 'ya',
    routes: [submit, supplement, answer],
    population: undefined,
    faultBody: (faultcode, faultstring) => xroadRestError(500, faultcode, faultstring, ''),
    onReset: () => {
      taken.clear();
      claims.length = 0;
      documents.length = 0;
      answers.length = 0;
      waiting.clear();
      supplements.clear();
    },
  }).then((server) =>
    Object.assign(server, {
      claims,
      documents,
      resend: (claimNumber: string, kind: 'decided' | 'paid') => {
        const earlier = answers.find((a) => a.claimNumber === claimNumber && a.kind === kind);
        if (!earlier) throw new Error('YA mock: no such answer to give again');
        answers.push({ ...earlier, dueAt: clock.now() });
      },
      supplements,
      setAskSupplement: (next: YaMockOptions['askSupplement']) => void (askSupplement = next ?? (() => null)),
      setDecide: (next: YaMockOptions['decide']) => void (decide = next ?? acceptAll),
      setPay: (next: YaMockOptions['pay']) => void (pay = next ?? ((_c: ClaimV1, d: number) => d)),
    }),
  );
}
