/** One page of Migri's list of protection recipients of a municipality (UMA, SOAP over X-Road). */
import { mapUmaList } from '#contracts/uma/mapper';
import { buildUmaListRequest, readUmaListResponse, umaListServiceId } from '#contracts/uma/wire';
import type { UmaProtectionListPageV1, UmaProtectionListRequestedV1 } from '#contracts/messages/lists';
import type { XRoadHttpClient } from '#lib/xroad-client';
import type { AskOptions } from '#lib/lookup-adapter';

export const fetchProtectionListPage = async (
  client: XRoadHttpClient,
  request: UmaProtectionListRequestedV1,
  options: AskOptions,
): Promise<{ page: UmaProtectionListPageV1; hasMore: boolean }> => {
  const body = buildUmaListRequest({ Kuntakoodi: request.municipality, Sivu: request.page, SivunKoko: request.pageSize });
  const envelope = await client.soap(umaListServiceId(client.config.client.xRoadInstance), body, options);
  const page = mapUmaList(readUmaListResponse(envelope.body));
  return { page: { ...page, context: request.context }, hasMore: page.hasMore };
};
