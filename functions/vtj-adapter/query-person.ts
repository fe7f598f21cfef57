/** VTJ person query (HenkilonTunnusKysely) over X-Road, mapped to the canonical lookup outcome. */
import type { VtjLookupOutcomeV1 } from '#contracts/canonical/person';
import { mapVtjResponse } from '#contracts/vtj/mapper';
import { buildVtjRequestBody, readVtjResponseBody, vtjServiceId } from '#contracts/vtj/wire';
import type { XRoadHttpClient } from '#lib/xroad-client';
import type { AskOptions } from '#lib/lookup-adapter';
import type { VtjCredentials } from '#functions/vtj-adapter/credentials';

export const queryPerson = async (
  client: XRoadHttpClient,
  credentials: VtjCredentials,
  hetu: string,
  options: AskOptions,
): Promise<VtjLookupOutcomeV1> => {
  const body = buildVtjRequestBody({
    SoSoNimi: credentials.product,
    Kayttajatunnus: credentials.username,
    Salasana: credentials.password,
    Loppukayttaja: credentials.endUser,
    Henkilotunnus: hetu,
  });
  const envelope = await client.soap(vtjServiceId(client.config.client.xRoadInstance), body, { deadline: options.deadline });
  return mapVtjResponse(readVtjResponseBody(envelope.body), { requestedHetu: hetu });
};
