import { createLookupAdapter } from '#lib/lookup-adapter';
import { xroadClient } from '#lib/xroad';
import { outreachNextSteps } from '#functions/outreach/slip';
import { queryPerson } from '#functions/vtj-adapter/query-person';
import { vtjCredentialsProvider } from '#functions/vtj-adapter/credentials';

const credentials = vtjCredentialsProvider();

// After the answer, the outreach rules choose the register still needed (functions/outreach/slip.ts).
export const handler = createLookupAdapter(
  'vtj',
  'vtj-adapter',
  async (hetu, _asOf, options) => queryPerson(xroadClient('vtj'), await credentials(), hetu, options),
  outreachNextSteps,
);
