/** Customer status in the national integration data store (REST over X-Road), mapped to canonical. */
import { fromAsiakkuusVastaus, type IntegrationStatus } from '#contracts/datastore/mapper';
import { asiakkuusVastaus, datastorePath, parseDatastore } from '#contracts/datastore/wire';
import type { XRoadHttpClient } from '#lib/xroad-client';
import type { AskOptions } from '#lib/lookup-adapter';

export const queryStatus = async (client: XRoadHttpClient, hetu: string, options: AskOptions): Promise<IntegrationStatus> => {
  const path = datastorePath(client.config.client.xRoadInstance, 'status', hetu);
  const answer = await client.rest('asiakkuus', 'GET', path, undefined, { deadline: options.deadline });
  return fromAsiakkuusVastaus(parseDatastore(asiakkuusVastaus, 'customer status answer', answer));
};
