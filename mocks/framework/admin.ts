/**
 * The control endpoints every mock server answers under `/__`, for a test or an operator that
 * reaches the mock over HTTP rather than through its `MockServer` object:
 *
 *   POST   /__faults  {"rules":[…], "seed"?: n, "append"?: bool}  replace (or append to) the rules
 *   GET    /__faults                                             the current rules
 *   DELETE /__faults                                             remove every rule
 *   GET    /__stats                                              counters, request log, max req/s
 *   POST   /__reset                                              rules, counters, log and system state
 */
import { faultSettingsSchema, isValidRegExp, type FaultController } from '#mocks/framework/faults';
import { json, xroadRestError, type MockRequest, type MockResponse } from '#mocks/framework/routes';
import type { MockStats } from '#mocks/framework/stats';

export const ADMIN_PREFIX = '/__';

/** What the endpoints act on: the server's own controls. */
export interface AdminControls {
  readonly faults: FaultController;
  stats(): MockStats;
  reset(): void;
}

/** The answer of a control endpoint (a request whose path starts with `ADMIN_PREFIX`). */
export function handleAdmin(req: MockRequest, controls: AdminControls): MockResponse {
  if (req.path === '/__faults') {
    if (req.method === 'GET') return json(200, { rules: controls.faults.list() });
    if (req.method === 'DELETE') {
      controls.faults.clear();
      return json(200, { rules: [] });
    }
    if (req.method === 'POST') return setFaults(req.body, controls.faults);
  }
  if (req.path === '/__stats' && req.method === 'GET') return json(200, controls.stats());
  if (req.path === '/__reset' && req.method === 'POST') {
    controls.reset();
    return json(200, { reset: true });
  }
  return xroadRestError(404, 'Client.NotFound', 'no such admin endpoint', '');
}

function setFaults(body: string, faults: FaultController): MockResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return xroadRestError(400, 'Client.InvalidRequest', 'fault settings are not JSON', '');
  }
  const settings = faultSettingsSchema.safeParse(parsed);
  if (!settings.success) {
    const detail = settings.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return xroadRestError(400, 'Client.InvalidRequest', 'invalid fault settings', detail);
  }
  const { rules, seed, append } = settings.data;
  if (rules.some((rule) => rule.path !== undefined && !isValidRegExp(rule.path))) {
    return xroadRestError(400, 'Client.InvalidRequest', 'invalid fault settings', 'rules.path: not a regular expression');
  }
  if (append) rules.forEach((rule) => faults.add(rule));
  else faults.set(rules);
  if (seed !== undefined) faults.reseed(seed);
  return json(200, { rules: faults.list() });
}
