import { createLookupAdapter } from '#lib/lookup-adapter';
import { xroadClient } from '#lib/xroad';
import { queryPerson, vtjCredentialsFromEnv } from '#functions/vtj-adapter/query-person';

const credentials = vtjCredentialsFromEnv();

export const handler = createLookupAdapter('vtj', 'vtj-adapter', (hetu, _asOf, options) =>
  queryPerson(xroadClient('vtj'), credentials, hetu, options),
);
