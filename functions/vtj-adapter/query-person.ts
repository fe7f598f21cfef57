/** VTJ person query (HenkilonTunnusKysely) over X-Road, mapped to the canonical lookup outcome. */
import type { VtjLookupOutcomeV1 } from '#contracts/canonical/person';
import { mapVtjResponse } from '#contracts/vtj/mapper';
import { buildVtjRequestBody, readVtjResponseBody, VTJ_DEFAULT_PRODUCT, vtjServiceId } from '#contracts/vtj/wire';
import type { XRoadHttpClient } from '#lib/xroad-client';
import type { AskOptions } from '#lib/lookup-adapter';

/** VTJ's own credentials for the query product (from the VTJ permit), and the end user named in each query. */
export interface VtjCredentials {
  readonly product: string;
  readonly username: string;
  readonly password: string;
  readonly endUser: string;
}

export const vtjCredentialsFromEnv = (env: NodeJS.ProcessEnv = process.env): VtjCredentials => ({
  product: env.KOTO_VTJ_PRODUCT ?? VTJ_DEFAULT_PRODUCT,
  username: env.KOTO_VTJ_USERNAME ?? 'koto-hub',
  password: env.KOTO_VTJ_PASSWORD ?? '',
  endUser: env.KOTO_VTJ_END_USER ?? 'koto-hub',
});

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
