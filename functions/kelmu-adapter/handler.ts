import { createListAdapter } from '#lib/list-adapter';
import { xroadClient } from '#lib/xroad';
import { fetchKelmuPage } from '#functions/kelmu-adapter/fetch-page';

export const handler = createListAdapter({
  name: 'kelmu-adapter',
  system: 'kelmu',
  request: 'kelmu.list.requested.v1',
  page: 'kelmu.list.page.v1',
  fetch: (request, options) => fetchKelmuPage(xroadClient('kelmu'), request, options),
});
