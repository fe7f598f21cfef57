/**
 * A paged list adapter: one page per message. It fetches the page asked for, delivers it to the
 * requester's `replyTo` queue, and asks for the next page on its own queue while the list goes on,
 * so memory stays one page whatever the length of the list, and a failed page is retried alone.
 */
import type { MessageType, PayloadOf } from '#contracts/messages/registry';
import { functionSpec, type ExternalSystem, type FunctionName, type QueueName } from '#infra/topology';
import { throughBreaker } from '#lib/breaker/guard';
import { breakerFor } from '#lib/breaker/system';
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { PermanentError } from '#lib/errors';
import type { AskOptions } from '#lib/lookup-adapter';

export interface ListAdapterSpec<Req extends MessageType, Page extends MessageType> {
  readonly name: FunctionName;
  readonly system: ExternalSystem;
  readonly request: Req;
  readonly page: Page;
  fetch(request: PayloadOf<Req>, options: AskOptions): Promise<{ page: PayloadOf<Page>; hasMore: boolean }>;
}

export const createListAdapter = <Req extends MessageType, Page extends MessageType>(spec: ListAdapterSpec<Req, Page>) => {
  const { consumes, sends } = functionSpec(spec.name);
  const ownQueue = consumes!.queue;
  return createSqsHandler({
    name: spec.name,
    accepts: [spec.request],
    handle: async (message, hop) => {
      const request = message.payload as PayloadOf<Req> & { replyTo: string; page: number };
      const replyTo = request.replyTo as QueueName;
      if (!(sends as readonly string[]).includes(replyTo) || replyTo === ownQueue) {
        throw new PermanentError('reply-not-allowed', `${spec.name} may not deliver to queue ${request.replyTo}`);
      }
      // While the system's breaker is open the page request waits on this queue, re-sent with a delay.
      const passage = await throughBreaker(
        breakerFor(spec.system),
        hop,
        () => spec.fetch(message.payload, { deadline: hop.deadline }),
        (wait) => hop.emit(ownQueue, spec.request, message.payload, { target: spec.system, key: 'deferred', ...wait }),
      );
      if (!passage.answered) return;
      const { page, hasMore } = passage.value;
      hop.emit(replyTo, spec.page, page, { target: 'hub', key: `page-${request.page}` });
      if (hasMore) {
        hop.emit(ownQueue, spec.request, { ...request, page: request.page + 1 } as PayloadOf<Req>, {
          target: spec.system,
          key: `request-${request.page + 1}`,
        });
      }
      hop.setOutcome(hasMore ? 'page-delivered' : 'last-page-delivered');
    },
  });
};
