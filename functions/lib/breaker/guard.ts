/**
 * A call to an external system through its breaker, for an adapter's hop. While the breaker is
 * open the system is not called: the message is sent again to its own queue with a delay until
 * the next probe (`requeue`) and the hop ends as `deferred`, so the wait counts no receive against
 * the queue's maxReceiveCount. A transient failure that opens the breaker (or fails the probe)
 * waits the same way; one that leaves it closed is thrown and retried as usual, and a permanent
 * one is thrown and dead-letters at once. A call that never left (`wasNotSent`) is retried as usual
 * and counts for nothing. The message carries when it began to wait (`koto.waitingSince`): past the
 * policy's hold it waits no more and takes the ordinary retries.
 */
import { classifyError, TransientError } from '#lib/errors';
import { wasNotSent } from '#lib/https-exchange';
import { recordBreakerDeferral } from '#lib/metrics';
import { systemClock, type Clock } from '#lib/rate-limit';
import { ATTR } from '#lib/batch/attributes';
import type { HopApi } from '#lib/batch/sqs-handler';
import type { CircuitBreaker } from '#lib/breaker/breaker';
import { systemOfBreaker } from '#lib/breaker/names';

/** The longest delay SQS takes on a message (DelaySeconds). */
export const MAX_DELAY_SECONDS = 900;

export interface Wait {
  readonly delaySeconds: number;
  /** Attributes the re-sent message carries (when it began to wait). */
  readonly attributes: Readonly<Record<string, string>>;
}

export type Passage<T> = { readonly answered: true; readonly value: T } | { readonly answered: false };

export const delayUntil = (until: number, now: number): number => Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil((until - now) / 1000)));

export const throughBreaker = async <T>(
  breaker: CircuitBreaker,
  hop: Pick<HopApi, 'attribute' | 'setOutcome'>,
  call: () => Promise<T>,
  requeue: (wait: Wait) => void,
  clock: Pick<Clock, 'now'> = systemClock,
): Promise<Passage<T>> => {
  const since = Number(hop.attribute(ATTR.waitingSince)) || undefined;
  const start = clock.now();
  const held = since !== undefined && start - since >= breaker.policy.holdMs;
  const wait = (until: number): Passage<T> => {
    const now = clock.now();
    requeue({ delaySeconds: delayUntil(until, now), attributes: { [ATTR.waitingSince]: String(since ?? now) } });
    hop.setOutcome('deferred');
    recordBreakerDeferral(systemOfBreaker(breaker.system));
    return { answered: false };
  };

  const { admission, state: seen } = await breaker.admit();
  if (admission.kind === 'wait') {
    if (!held) return wait(admission.until);
    throw new TransientError('breaker-open', `${breaker.system} has not answered for longer than this message may wait; retried as usual`);
  }
  const clean = admission.kind === 'call' && seen.phase === 'closed' && seen.failures === 0;
  let value: T;
  try {
    value = await call();
  } catch (error) {
    // A call that never left (no rate-limit slot before the deadline — the system's own pace, not its
    // failure — or the hub's TLS material unreadable) is retried as any other and counts for nothing;
    // a probe so ended is freed, so the next message probes rather than wait out the probe's timeout.
    if (wasNotSent(error)) {
      if (admission.kind === 'probe') await breaker.probeNotSent(seen).catch(() => undefined);
      throw error;
    }
    if (classifyError(error).kind === 'permanent') {
      // A permanent fault is an answer: the system is up, and the message dead-letters as ever.
      if (!clean) await breaker.answered().catch(() => undefined);
      throw error;
    }
    // If the breaker cannot be told now, the failure is retried as any other: the system's error stands.
    const after = await breaker.failed(admission).catch(() => undefined);
    if (!after || after.phase === 'closed' || held) throw error;
    return wait(after.nextProbeAt ?? clock.now() + breaker.policy.firstProbeMs);
  }
  // The answer stands even if the breaker cannot be told now: the next answer closes it.
  if (!clean) await breaker.answered().catch(() => undefined);
  return { answered: true, value };
};
