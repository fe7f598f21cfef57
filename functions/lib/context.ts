/**
 * The correlation context of the record being handled, carried through async calls so that every
 * log line written while handling it — by the handler, a client, a library — names the correlation,
 * message and causation ids, even when a batch's records are handled concurrently.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CorrelationContext {
  readonly correlationId: string;
  readonly messageId: string;
  readonly causationId: string | null;
  readonly messageType: string;
  readonly function: string;
}

const storage = new AsyncLocalStorage<CorrelationContext>();

export const currentContext = (): CorrelationContext | undefined => storage.getStore();

export const withContext = <T>(context: CorrelationContext, fn: () => Promise<T>): Promise<T> => storage.run(context, fn);
