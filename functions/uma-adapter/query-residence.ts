/** UMA person query (UlkomaalainenKysely) over X-Road, mapped to the canonical residence record. */
import type { ResidenceV1 } from '#contracts/canonical/residence';
import { mapUmaPerson } from '#contracts/uma/mapper';
import { buildUmaPersonRequest, readUmaPersonResponse, umaPersonServiceId } from '#contracts/uma/wire';
import type { XRoadHttpClient } from '#lib/xroad-client';
import type { AskOptions } from '#lib/lookup-adapter';

export const queryResidence = async (client: XRoadHttpClient, hetu: string, asOf: string, options: AskOptions): Promise<ResidenceV1> => {
  const body = buildUmaPersonRequest({ Henkilotunnus: hetu, Tilannepaiva: asOf, Loppukayttaja: client.config.userId });
  const envelope = await client.soap(umaPersonServiceId(client.config.client.xRoadInstance), body, { deadline: options.deadline });
  return mapUmaPerson(readUmaPersonResponse(envelope.body));
};
