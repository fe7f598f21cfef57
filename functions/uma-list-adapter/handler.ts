import { createListAdapter } from '#lib/list-adapter';
import { xroadClient } from '#lib/xroad';
import { fetchProtectionListPage } from '#functions/uma-list-adapter/fetch-page';

export const handler = createListAdapter({
  name: 'uma-list-adapter',
  system: 'uma',
  request: 'uma.protection-list.requested.v1',
  page: 'uma.protection-list.page.v1',
  fetch: (request, options) => fetchProtectionListPage(xroadClient('uma'), request, options),
});
