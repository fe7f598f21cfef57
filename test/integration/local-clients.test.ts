/**
 * The embedded runtime's own clients (`vaasa-905`, `operator`) in a data folder an earlier release
 * made: at start they get this release's permissions, so a flow added since is callable without a
 * fresh folder; a revoked one stays revoked. Against real dynalite and a real local CA.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTableName } from '#infra/local/dynamodb';
import { DEMO_CLIENT, ensureLocalClients, OPERATOR_CLIENT } from '#infra/local/local-clients';
import { ensurePki, type PkiPaths } from '#infra/local/pki';
import { inboxTypes, ingressRoutes } from '#infra/topology';
import { ClientRegistry } from '#lib/door/client-registry';
import { startBareDynamo, type BareDynamo } from '../support/bare-dynamo.ts';

let dynamo: BareDynamo;
let registry: ClientRegistry;
let pki: PkiPaths;
let dir: string;

beforeAll(async () => {
  dynamo = await startBareDynamo();
  registry = new ClientRegistry(dynamo.documents, localTableName('clients'));
  dir = mkdtempSync(join(tmpdir(), 'koto-local-clients-'));
  pki = await ensurePki(dir);
});
afterAll(async () => {
  await dynamo?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the local clients of a data folder from an earlier release', () => {
  it('gives the demo client every type ingress routes and every inbox type, keeping its certificate', async () => {
    await ensureLocalClients(registry, pki, ['905']);
    const first = (await registry.get(DEMO_CLIENT))!;
    // As an earlier release left it: outreach only.
    expect(await registry.setPermissions(DEMO_CLIENT, { sends: ['outreach.referral.v1'], receives: ['outreach.decision.v1'] })).toBe(true);

    await ensureLocalClients(registry, pki, ['905']);
    const now = (await registry.get(DEMO_CLIENT))!;
    expect([...now.sends].sort()).toEqual(Object.keys(ingressRoutes).sort());
    expect([...now.receives].sort()).toEqual([...inboxTypes].sort());
    expect(now.authentication).toEqual(first.authentication);
    expect(now.createdAt).toBe(first.createdAt);
  });

  it('leaves a revoked local client revoked, with the permissions it had', async () => {
    await ensureLocalClients(registry, pki, ['905']);
    await registry.revoke(OPERATOR_CLIENT, new Date('2026-12-01T00:00:00Z'));
    expect(await registry.setPermissions(OPERATOR_CLIENT, { sends: [], receives: [] })).toBe(false);
    await ensureLocalClients(registry, pki, ['905']);
    const operator = (await registry.get(OPERATOR_CLIENT))!;
    expect(operator.status).toBe('revoked');
    expect(operator.sends).toEqual(['outreach.run.requested.v1', 'claims.costs.submitted.v1']);
  });

  it('refuses permissions with a malformed type name, naming the field', async () => {
    await expect(registry.setPermissions(DEMO_CLIENT, { sends: ['NOT A TYPE' as never], receives: [] })).rejects.toThrow(/sends/);
  });
});
