import { createLookupAdapter } from '#lib/lookup-adapter';
import { xroadClient } from '#lib/xroad';
import { outreachNextSteps } from '#functions/outreach/slip';
import { queryPerson, vtjCredentialsFromEnv } from '#functions/vtj-adapter/query-person';

const credentials = vtjCredentialsFromEnv();

// After the answer, the outreach rules choose the register still needed (functions/outreach/slip.ts).
export const handler = createLookupAdapter(
  'vtj',
  'vtj-adapter',
  (hetu, _asOf, options) => queryPerson(xroadClient('vtj'), credentials, hetu, options),
  outreachNextSteps,
);
