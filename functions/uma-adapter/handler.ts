import { createLookupAdapter } from '#lib/lookup-adapter';
import { xroadClient } from '#lib/xroad';
import { queryResidence } from '#functions/uma-adapter/query-residence';

export const handler = createLookupAdapter('uma', 'uma-adapter', (hetu, asOf, options) => queryResidence(xroadClient('uma'), hetu, asOf, options));
