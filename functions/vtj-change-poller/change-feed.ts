/** VTJ's change interface (VTJmutpa) over X-Road REST, read through the contract in contracts/vtj/changes.ts. */
import {
  parseKirjausavainResponse,
  parseMuutoksetResponse,
  VTJ_MUTPA_KIRJAUSAVAIN_PATH,
  VTJ_MUTPA_MUUTOKSET_PATH,
  vtjMutpaServiceId,
  type MuutoksetRequest,
} from '#contracts/vtj/changes';
import { xRoadRestPath } from '#contracts/xroad/rest';
import type { XRoadHttpClient } from '#lib/xroad-client';
import type { ChangeFeed } from '#functions/vtj-change-poller/poll-changes';

/** Names the service in errors and metrics. */
const SERVICE = 'VTJmutpa';

export const xroadChangeFeed = (client: XRoadHttpClient): ChangeFeed => {
  const path = (...parts: readonly string[]) => xRoadRestPath(vtjMutpaServiceId(client.config.client.xRoadInstance), ...parts);
  return {
    async startKey(date, options) {
      const answer = await client.rest(SERVICE, 'GET', path(...VTJ_MUTPA_KIRJAUSAVAIN_PATH(date)), undefined, options);
      return parseKirjausavainResponse(answer).viimeisinKirjausavain;
    },
    async changes(key, hetulista, options) {
      const request: MuutoksetRequest = { viimeisinKirjausavain: key, hetulista: [...hetulista] };
      return parseMuutoksetResponse(await client.rest(SERVICE, 'POST', path(...VTJ_MUTPA_MUUTOKSET_PATH), request, options));
    },
  };
};
