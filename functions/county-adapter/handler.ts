/**
 * The county adapter (functions/wellbeing/adapter.ts): one call to a county's FHIR server per
 * message, over X-Road or directly with mutual TLS as the county's endpoint says, behind that
 * county's own rate limit (its `ratePerSecond`, else the topology's `wellbeing` figure) and its own
 * circuit breaker (`wellbeing:<county>`), so a county that is slow or down holds only its own requests.
 * A request is sent as its transaction; a poll reads the request's Tasks, delivers the new answers
 * to the municipality's inbox, tells the operators' queue of the answers it set aside
 * (`wellbeing.replies.set-aside.v1`, codes only), and sets each Task that is not valid FHIR aside
 * as a dead letter of its own (`wellbeing.task.refused.v1`, the validator's finding its reason),
 * which a redrive brings back here as a read of the request.
 */
import type { Envelope } from '#contracts/envelope';
import type { CountyId } from '#contracts/wellbeing/counties';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import { COUNTY_TLS_CA_DIR_ENV, COUNTY_TLS_CERT_FILE_ENV, COUNTY_TLS_KEY_FILE_ENV, COUNTY_TLS_SECRET_ARN_ENV } from '#infra/topology';
import { createSqsHandler, type HopApi } from '#lib/batch/sqs-handler';
import { throughBreaker } from '#lib/breaker/guard';
import { breakerFor } from '#lib/breaker/system';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { logger } from '#lib/logger';
import { directClient, xroadClient, type PacedPart } from '#lib/xroad';
import { pollReplies, refusedLetter, setAsideEvent, transactionOf, type AdapterDeps, type RepliesRead } from '#functions/wellbeing/adapter';
import { countyEndpoints, pseudonymKey } from '#functions/wellbeing/config';
import { countyFhirClient } from '#functions/wellbeing/county-client';
import { countyTlsProvider, type CountyTlsProvider } from '#functions/wellbeing/county-tls';
import type { WellbeingRequest } from '#functions/wellbeing/prepare';
import { dynamoWellbeingStore } from '#functions/wellbeing/store';

/** The county's breaker: while it is open, the message waits on the adapter's queue (re-sent with a delay). */
const through = <T>(hop: HopApi, message: Envelope, county: CountyId, call: () => Promise<T>) =>
  throughBreaker(breakerFor('wellbeing', county), hop, call, (wait) =>
    hop.emit('county-requests', message.type as never, message.payload as never, { target: message.target, key: 'deferred', ...wait }),
  );

let tls: { provider: CountyTlsProvider; for: string } | undefined;
/** The counties' TLS material under the current environment (the embedded runtime changes data folders between tests). */
const countyTls = (): CountyTlsProvider => {
  const source = JSON.stringify([COUNTY_TLS_SECRET_ARN_ENV, COUNTY_TLS_CERT_FILE_ENV, COUNTY_TLS_KEY_FILE_ENV, COUNTY_TLS_CA_DIR_ENV].map((v) => process.env[v]));
  if (!tls || tls.for !== source) tls = { provider: countyTlsProvider(), for: source };
  return tls.provider;
};

export const handler = createSqsHandler({
  name: 'county-adapter',
  accepts: ['wellbeing.consultation.requested.v1', 'wellbeing.cooperation.requested.v1', 'wellbeing.replies.poll.v1', 'wellbeing.task.refused.v1'],
  handle: async (message, hop) => {
    const deps: AdapterDeps = { store: dynamoWellbeingStore(documentClient(), tableName('correlation')), endpoints: countyEndpoints(), key: pseudonymKey };
    const provider = countyTls();
    // Each county its own server, so its own pacing: `wellbeing:<county>`, at its configured rate if any.
    const paced = (endpoint: CountyEndpointV1): PacedPart => ({ name: endpoint.county, ratePerSecond: endpoint.ratePerSecond });
    const county = countyFhirClient(
      (endpoint) => xroadClient('wellbeing', paced(endpoint)),
      (endpoint) => directClient('wellbeing', paced(endpoint), () => provider(endpoint.county)),
    );

    if (message.type === 'wellbeing.consultation.requested.v1' || message.type === 'wellbeing.cooperation.requested.v1') {
      const { endpoint, transaction } = await transactionOf(message as WellbeingRequest, deps);
      const passage = await through(hop, message, endpoint.county, () => county.sendTransaction(endpoint, transaction, { deadline: hop.deadline }));
      if (passage.answered) hop.setOutcome(`sent-${endpoint.county}`);
      return;
    }

    // A poll, or a refused Task's dead letter redriven: either way a read of the request's replies.
    const read = message as RepliesRead;
    const result = await pollReplies(read, deps, async (endpoint) => {
      const passage = await through(hop, message, endpoint.county, () => county.tasksOf(endpoint, read.correlationId, { deadline: hop.deadline }));
      return passage.answered ? passage.value : undefined;
    });
    if (result.outcome === 'deferred') return;
    result.deliver.forEach((reply, i) => {
      hop.emit('municipality-outbox', reply.type, reply.payload as never, { target: `municipality:${message.municipality}`, key: `reply-${i}` });
    });
    for (const { why, pseudonym } of result.setAside) {
      // For the operators: a pseudonym names nobody outside the hub, and the county's text stays out.
      logger.warn('a county reply was set aside, not delivered', { why, pseudonym });
    }
    const event = setAsideEvent(result, read.payload.polledAt);
    if (event) hop.emit('ops-events', 'wellbeing.replies.set-aside.v1', event, { target: 'hub', key: 'set-aside' });
    for (const refused of result.refused) {
      // Each on its own, where the operators see it and can redrive it; the rest of the read goes on.
      const { payload, failure } = refusedLetter(result, refused, read);
      hop.deadLetter('wellbeing.task.refused.v1', payload, failure, { key: `refused-${refused.task.digest}` });
    }
    if (result.stillRefused > 0) logger.info('Tasks refused before are still the same: not set aside again', { stillRefused: result.stillRefused });
    const setAside = event ? event.setAside.map((s) => s.why).sort() : [];
    hop.setOutcome(
      result.outcome === 'replayed'
        ? 'replies-replayed'
        : `${result.deliver.length > 0 ? 'replies-delivered' : 'no-new-replies'}${setAside.length ? `-set-aside-${setAside.join('-')}` : ''}${result.refused.length ? '-task-refused' : ''}`,
    );
  },
});
