/**
 * YA's transport — **defined by koto-hub** (KEHA publishes no machine interface for YA; README.md
 * here). REST over X-Road whose bodies are the XML documents of `ya.xsd`:
 *
 *   POST …/ya/hakemukset/v1         a claim `Korvaushakemus`; answered 202 (or 200 for the same
 *                                   claim again) with the `Vastaanottoilmoitus`; 409 when the claim
 *                                   number was used for another document; 400 when it breaks the
 *                                   contract
 *   POST …/ya/taydennykset/v1      the municipality's answer `Taydennys` to a supplement request;
 *                                   202 (200 for the same answer again), 404 `Client.NoSuchRequest`
 *                                   when YA asked no such thing of the claim
 *   GET  …/ya/vastaukset/v1/{n}     YA's n-th answer to this client (1, 2, …): a `Taydennyspyynto`,
 *                                   `Korvauspaatos` or `Maksuilmoitus`; 404 `Client.NoSuchAnswer`
 *                                   when there is none yet
 *
 * where … is `/r1/{instance}/GOV/2296962-1` (KEHA centre, the member Koto-AJ is a system of). YA
 * numbers its answers to a client in the order it gives them, so the hub reads each once by keeping
 * the number of the last one it read. No path carries personal data.
 */
export const YA_SERVICE = {
  memberClass: 'GOV',
  /** KEHA centre's business ID, as for Koto-AJ (check it when the service is registered). */
  memberCode: '2296962-1',
  subsystemCode: 'ya',
  services: { claims: 'hakemukset', supplements: 'taydennykset', answers: 'vastaukset' },
  version: 'v1',
} as const;

/** The error types YA's REST errors carry (X-Road's `{"type","message","detail"}`). */
export const YA_ERROR_TYPES = {
  invalid: 'Client.InvalidDocument',
  conflict: 'Client.Conflict',
  noAnswer: 'Client.NoSuchAnswer',
  noRequest: 'Client.NoSuchRequest',
} as const;

const base = (instance: string) => `/r1/${instance}/${YA_SERVICE.memberClass}/${YA_SERVICE.memberCode}/${YA_SERVICE.subsystemCode}`;

/** Path of a claim's submission. */
export const yaClaimsPath = (instance: string): string => `${base(instance)}/${YA_SERVICE.services.claims}/${YA_SERVICE.version}`;

/** Path of YA's n-th answer. */
export const yaAnswerPath = (instance: string, n: number): string => `${base(instance)}/${YA_SERVICE.services.answers}/${YA_SERVICE.version}/${n}`;

/** Path of the answer to a supplement request. */
export const yaSupplementsPath = (instance: string): string => `${base(instance)}/${YA_SERVICE.services.supplements}/${YA_SERVICE.version}`;
