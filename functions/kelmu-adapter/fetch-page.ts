/** One page of Kela's Kelmu list over X-Road REST, mapped to canonical rows. */
import { fromKelmuWirePage } from '#contracts/kelmu/mapper';
import { kelmuListPath, parseKelmuPage } from '#contracts/kelmu/wire';
import type { KelmuListPageV1, KelmuListRequestedV1 } from '#contracts/messages/lists';
import type { XRoadHttpClient } from '#lib/xroad-client';
import type { AskOptions } from '#lib/lookup-adapter';

export const fetchKelmuPage = async (
  client: XRoadHttpClient,
  request: KelmuListRequestedV1,
  options: AskOptions,
): Promise<{ page: KelmuListPageV1; hasMore: boolean }> => {
  const path = kelmuListPath({
    instance: client.config.client.xRoadInstance,
    municipality: request.municipality,
    date: request.date,
    page: request.page,
    pageSize: request.pageSize,
  });
  const page = fromKelmuWirePage(parseKelmuPage(await client.rest('kotoutumislista', 'GET', path, undefined, options)));
  return {
    page: {
      municipality: page.municipality,
      date: page.date,
      page: page.page,
      pages: page.pages,
      totalRows: page.totalRows,
      rows: page.rows,
      context: request.context,
    },
    hasMore: page.page < page.pages,
  };
};
