/**
 * Amazon's DynamoDB Local as the runtime starts it (`KOTO_DYNAMODB=dynamodb-local`): reachable on
 * loopback only, no CORS for a web page, and never outliving whoever started it. Runs in the
 * DynamoDB Local lane (`npm run test:dynamodb-local`), which needs Java.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { startDynamoDBLocal } from '#infra/local/dynamodb-local';
import { eventually } from '../support/hub.ts';

/** Whether a TCP connection to host:port is accepted. */
const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const listTables = (endpoint: string, headers: Record<string, string> = {}) =>
  fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      // DynamoDB Local wants a SigV4-shaped header and checks no signature.
      authorization: 'AWS4-HMAC-SHA256 Credential=local/20261202/eu-north-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      ...headers,
    },
    body: '{}',
  });

describe('DynamoDB Local as the runtime starts it', () => {
  it('answers on 127.0.0.1 and refuses connections on every other address of the machine', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address !== undefined && !address.internal)
      .map((address) => address!.address);
    expect(others.length, 'this machine has no address but loopback, so there is nothing to refuse on').toBeGreaterThan(0);
    const dynamo = await startDynamoDBLocal(undefined);
    try {
      const { hostname, port } = new URL(dynamo.endpoint);
      expect(hostname).toBe('127.0.0.1');
      expect((await listTables(dynamo.endpoint)).status).toBe(200);
      for (const address of others) expect(await accepts(address, Number(port)), address).toBe(false);
    } finally {
      await dynamo.close();
    }
  });

  it("gives another site's page no CORS permission to read the tables", async () => {
    const dynamo = await startDynamoDBLocal(undefined);
    try {
      const response = await listTables(dynamo.endpoint, { origin: 'http://evil.example' });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await dynamo.close();
    }
  });

  it('stops when closed', async () => {
    const dynamo = await startDynamoDBLocal(undefined);
    const port = Number(new URL(dynamo.endpoint).port);
    await dynamo.close();
    expect(await accepts('127.0.0.1', port)).toBe(false);
  });

  it('ends when the process that started it is killed with SIGKILL', async () => {
    // A process of its own that starts DynamoDB Local, says where, and waits to be killed.
    const starter = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "const { startDynamoDBLocal } = await import('#infra/local/dynamodb-local'); const d = await startDynamoDBLocal(undefined); console.log(d.endpoint); setInterval(() => {}, 1000);",
      ],
      { cwd: resolve(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const endpoint = await new Promise<string>((resolve, reject) => {
      createInterface({ input: starter.stdout! }).once('line', resolve);
      starter.once('exit', (code) => reject(new Error(`the starter ended first (exit ${code})`)));
    });
    const port = Number(new URL(endpoint).port);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    starter.kill('SIGKILL');
    await eventually(async () => ((await accepts('127.0.0.1', port)) ? undefined : true), 'the JVM gone with its starter');
  });
});
