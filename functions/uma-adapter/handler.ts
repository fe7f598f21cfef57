import { createLookupAdapter } from '#lib/lookup-adapter';
import { xroadClient } from '#lib/xroad';
import { outreachNextSteps } from '#functions/outreach/slip';
import { queryResidence } from '#functions/uma-adapter/query-residence';

// After the answer, the outreach rules choose the register still needed (functions/outreach/slip.ts).
export const handler = createLookupAdapter(
  'uma',
  'uma-adapter',
  (hetu, asOf, options) => queryResidence(xroadClient('uma'), hetu, asOf, options),
  outreachNextSteps,
);
