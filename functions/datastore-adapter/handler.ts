import { createLookupAdapter } from '#lib/lookup-adapter';
import { xroadClient } from '#lib/xroad';
import { queryStatus } from '#functions/datastore-adapter/query-status';

export const handler = createLookupAdapter('datastore', 'datastore-adapter', (hetu, _asOf, options) =>
  queryStatus(xroadClient('datastore'), hetu, options),
);
