/**
 * Customer status in the national integration data store (REST over X-Road), mapped to canonical.
 * The identity code goes in the body of a POST (`asiakkuus/v2`), never in the path: every security
 * server and proxy on the way logs the request line.
 */
import { fromAsiakkuusVastaus, toAsiakkuusKysely, type IntegrationStatus } from '#contracts/datastore/mapper';
import { asiakkuusVastaus, datastorePath, parseDatastore } from '#contracts/datastore/wire';
import type { XRoadHttpClient } from '#lib/xroad-client';
import type { AskOptions } from '#lib/lookup-adapter';

export const queryStatus = async (client: XRoadHttpClient, hetu: string, options: AskOptions): Promise<IntegrationStatus> => {
  const path = datastorePath(client.config.client.xRoadInstance, 'status');
  const answer = await client.rest('asiakkuus', 'POST', path, toAsiakkuusKysely(hetu), { deadline: options.deadline });
  return fromAsiakkuusVastaus(parseDatastore(asiakkuusVastaus, 'customer status answer', answer));
};
