/**
 * "No HETU in any URL the hub calls": every request target the mock registers and the X-Road
 * security-server stand-in of this process receive, recorded through `observeMockTraffic`, and the
 * check that none of them holds anything shaped like a personal identity code.
 */
import { containsHetuShape, scrubHetus } from '#contracts/hetu';
import { observeMockTraffic } from '#mocks/framework';

export interface RecordedRequest {
  readonly system: string;
  readonly method: string;
  /** Path and query as received, still percent-encoded. */
  readonly target: string;
}

export interface MockUrlRecorder {
  /** The systems whose servers started while recording (`security-server` among them). */
  readonly started: readonly string[];
  readonly requests: readonly RecordedRequest[];
  stop(): void;
}

/** Records, until `stop()`, every mock server start and request target in this process. */
export const recordMockUrls = (): MockUrlRecorder => {
  const started: string[] = [];
  const requests: RecordedRequest[] = [];
  const stop = observeMockTraffic((event) => {
    if (event.kind === 'started') started.push(event.system);
    else requests.push({ system: event.system, method: event.method, target: event.target });
  });
  return { started, requests, stop };
};

/** Undoes percent-encoding of ASCII, as often as it was applied (`%252B` → `%2B` → `+`); never throws. */
const decodeAscii = (text: string): string => {
  let current = text;
  for (let round = 0; round < 5; round++) {
    const next = current.replace(/%([0-7][0-9A-Fa-f])/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === current) break;
    current = next;
  }
  return current;
};

/**
 * Whether a request target (path and query) holds anything HETU-shaped, as sent or once decoded:
 * `/v1/010190%2B123X` hides `010190+123X`, and a `+` left as it is in a query (form-decoded, a
 * space) is caught before decoding.
 */
export const urlHasHetuShape = (target: string): boolean => containsHetuShape(target) || containsHetuShape(decodeAscii(target));

/** The requests whose target holds anything HETU-shaped, each described with the code masked. */
export const requestsWithHetu = (requests: readonly RecordedRequest[]): string[] =>
  requests
    .filter((request) => urlHasHetuShape(request.target))
    .map((request) => `${request.system}: ${request.method} ${scrubHetus(decodeAscii(scrubHetus(request.target)))}`);
