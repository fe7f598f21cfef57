/**
 * The process-wide observer of mock traffic: it hears every mock server of this process (and the
 * security-server stand-in, which reports itself) start and every request target it receives, path
 * and query as received. The integration tests use it to check that no URL the hub calls holds
 * personal data (test/support/mock-urls.ts).
 */

/** A mock server of this process started listening, or received a request. */
export type MockTrafficEvent =
  | { readonly kind: 'started'; readonly system: string }
  /** `target`: the request target as it arrived, path and query, still percent-encoded. */
  | { readonly kind: 'request'; readonly system: string; readonly method: string; readonly target: string };

export type MockTrafficObserver = (event: MockTrafficEvent) => void;

const trafficObservers = new Set<MockTrafficObserver>();

/** Hears every mock server of this process start and receive a request; returns the unsubscribe. */
export function observeMockTraffic(observer: MockTrafficObserver): () => void {
  trafficObservers.add(observer);
  return () => void trafficObservers.delete(observer);
}

/** Tells the observers (`startMockServer` does; a server built without it, like the security-server stand-in, calls it). */
export function reportMockTraffic(event: MockTrafficEvent): void {
  for (const observer of trafficObservers) {
    try {
      observer(event);
    } catch {
      // An observer's failure is its own: the mock answers as it would.
    }
  }
}
