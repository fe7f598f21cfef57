import { createLookupAdapter } from '#lib/lookup-adapter';
import { xroadClient } from '#lib/xroad';
import { outreachNextSteps } from '#functions/outreach/slip';
import { queryStatus } from '#functions/datastore-adapter/query-status';

// After the answer, the outreach rules choose the register still needed (functions/outreach/slip.ts).
export const handler = createLookupAdapter(
  'datastore',
  'datastore-adapter',
  (hetu, _asOf, options) => queryStatus(xroadClient('datastore'), hetu, options),
  outreachNextSteps,
);
