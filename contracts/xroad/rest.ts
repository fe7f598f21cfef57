/**
 * X-Road REST (message protocol for REST, PR-REST): a REST service is called through the consumer's
 * security server as
 *
 *   {METHOD} /r1/{instance}/{memberClass}/{memberCode}/{subsystemCode}/{serviceCode}/{path…}
 *   X-Road-Client: {instance}/{memberClass}/{memberCode}/{subsystemCode}
 *   X-Road-Id:     {message id}            (optional on a request; the answer carries it)
 *   X-Road-UserId: {end user}              (optional)
 *
 * and a failure of X-Road or of the provider is answered as JSON `{"type","message","detail"}`.
 */
import * as z from '#contracts/zod';
import { xRoadClientId, xRoadServiceId, type XRoadClientId, type XRoadServiceId } from '#contracts/xroad/soap';

export const XROAD_REST_PREFIX = '/r1';

/** `/r1/FI/GOV/0245437-2/VTJmutpa/muutokset`, each part percent-encoded. */
export function xRoadRestPath(service: XRoadServiceId, ...path: readonly string[]): string {
  const id = xRoadServiceId.parse(service);
  const parts = [id.xRoadInstance, id.memberClass, id.memberCode, id.subsystemCode, id.serviceCode, ...path];
  return `${XROAD_REST_PREFIX}/${parts.map((part) => encodeURIComponent(part)).join('/')}`;
}

/** Reads a REST path back into the service identifier and the rest of the path (for mocks). */
export function parseXRoadRestPath(path: string): { service: XRoadServiceId; rest: string[] } | null {
  const parts = path.split('/');
  if (parts[0] !== '' || `/${parts[1]}` !== XROAD_REST_PREFIX || parts.length < 7) return null;
  let decoded: string[];
  try {
    decoded = parts.slice(2).map((part) => decodeURIComponent(part));
  } catch {
    return null;
  }
  const [xRoadInstance, memberClass, memberCode, subsystemCode, serviceCode, ...rest] = decoded;
  const service = xRoadServiceId.safeParse({ xRoadInstance, memberClass, memberCode, subsystemCode, serviceCode });
  return service.success ? { service: service.data, rest } : null;
}

/** The `X-Road-Client` header value. */
export const formatXRoadClientHeader = (client: XRoadClientId): string => {
  const id = xRoadClientId.parse(client);
  return [id.xRoadInstance, id.memberClass, id.memberCode, id.subsystemCode].join('/');
};

/** Parses an `X-Road-Client` header, or `null` when it is not `INSTANCE/CLASS/MEMBER/SUBSYSTEM`. */
export function parseXRoadClientHeader(value: string | undefined): XRoadClientId | null {
  if (!value) return null;
  const [xRoadInstance, memberClass, memberCode, subsystemCode, ...extra] = value.split('/');
  if (extra.length > 0) return null;
  const parsed = xRoadClientId.safeParse({ xRoadInstance, memberClass, memberCode, subsystemCode });
  return parsed.success ? parsed.data : null;
}

/** Request headers for a REST call through X-Road. */
export function xRoadRestHeaders(init: { client: XRoadClientId; id?: string; userId?: string }): Record<string, string> {
  const headers: Record<string, string> = { 'X-Road-Client': formatXRoadClientHeader(init.client) };
  if (init.id !== undefined) headers['X-Road-Id'] = init.id;
  if (init.userId !== undefined) headers['X-Road-UserId'] = init.userId;
  return headers;
}

export const xRoadRestError = z.lazy(() =>
  z.object({
    /** Fault code, e.g. `Server.ServerProxy.ServiceFailed`, `Client.BadRequest`. */
    type: z.string().check(z.minLength(1, 'must not be empty')),
    message: z.string(),
    /** Free text (the security server puts a UUID here); may be missing or null. */
    detail: z.nullish(z.string()),
  }),
);
export type XRoadRestError = z.infer<typeof xRoadRestError>;

/** Reads an error body; `null` when the body is not JSON in the `{type,message,detail}` shape. */
export function parseXRoadRestError(body: string): XRoadRestError | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  const parsed = xRoadRestError.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** An error body as a provider or the security server writes it (for mocks). */
export const buildXRoadRestError = (type: string, message: string, detail = ''): string =>
  JSON.stringify({ type, message, detail } satisfies XRoadRestError);
