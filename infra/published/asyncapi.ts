/**
 * The AsyncAPI 3.0 document of the hub as a municipal system meets it (docs/integrators/asyncapi.json):
 * the door's `POST /envelopes` with the types ingress routes (infra/topology.ts `ingressRoutes`), the
 * inbox pull API and webhook pushes with the types delivered to a municipality (`inboxTypes`), each
 * message's payload the published JSON Schema of its type (json-schemas.ts). The published types no
 * route takes yet (records, wellbeing, claims) are in `components` only, fixed for the vendors
 * preparing for them.
 *
 * The HTTP surface around the messages (paths, the inbox page, the acknowledgement, the webhook
 * body and headers, the answers of the door) is written here as the door serves it:
 * functions/ingress/accept.ts, functions/inbox/pull.ts, functions/webhook-delivery/push.ts.
 */
import { outreachResult } from '#contracts/outreach-result';
import { publishedTypes, type PublishedType } from '#contracts/messages/published';
import { messageTypes } from '#contracts/messages/registry';
import { inboxTypes, ingressRoutes } from '#infra/topology';
import { toPublishedJsonSchema, UnpublishableSchema, type JsonSchema } from '#infra/published/json-schemas';

type Doc = Record<string, unknown>;

const ref = ($ref: string): { $ref: string } => ({ $ref });
const schemaRef = (name: string) => ref(`#/components/schemas/${name}`);
const messageRef = (name: string) => ref(`#/components/messages/${name}`);

/** The types a route of the topology carries, each checked to be published in the direction the route takes it. */
const routed = (types: readonly string[], direction: 'inbound' | 'outbound', where: string): PublishedType[] => {
  const problems = types
    .filter((type) => publishedTypes[type as PublishedType] !== direction)
    .map((type) => `${type} is carried by ${where} but is not published as ${direction} (contracts/messages/published.ts)`);
  if (problems.length > 0) throw new UnpublishableSchema(problems);
  return types as PublishedType[];
};

const municipalityParameter = {
  description: "A municipality the client acts for (three digits, e.g. '905'); another is refused with 403 own-municipality-only",
};

const fieldIssue = {
  type: 'object',
  properties: { path: { type: 'string' }, message: { type: 'string', description: 'What is wrong, never the value' } },
  required: ['path', 'message'],
};

/** The answers of the door and the framing of the inbox and webhooks, as the functions write them. */
const httpSchemas = (sent: readonly PublishedType[], delivered: readonly PublishedType[]): Record<string, JsonSchema> => {
  const anyDelivered = { oneOf: delivered.map((type) => schemaRef(type)) };
  return {
    accepted: {
      type: 'object',
      description: '202: every envelope of the request was accepted (posting the same messageId again has no second effect)',
      properties: {
        accepted: {
          type: 'array',
          items: {
            type: 'object',
            properties: { messageId: { type: 'string', format: 'uuid' }, correlationId: { type: 'string', format: 'uuid' }, type: { type: 'string', enum: [...sent] } },
            required: ['messageId', 'correlationId', 'type'],
          },
        },
      },
      required: ['accepted'],
    },
    refused: {
      type: 'object',
      description:
        '400 invalid-envelope (every failing field in `issues`), not-json, forbidden-key (a `__proto__`, `constructor` or `prototype` key, its path in `issues`) or batch-size; 401 without a client certificate; 403 naming the `rule` that refused; 413 too-large (over 200 KB); 429 over the client\'s rate (with Retry-After); 503 unavailable (post it again)',
      properties: {
        error: { type: 'string' },
        message: { type: 'string' },
        rule: { type: 'string', description: 'On 403: the authorization rule that refused, e.g. municipality-not-yours' },
        issues: { type: 'array', items: fieldIssue },
      },
      required: ['error', 'message'],
    },
    inboxPage: {
      type: 'object',
      description: 'One page of the inbox after a cursor: read again from `next` while `more` is true (a page may hold fewer than `limit` messages)',
      properties: {
        municipality: { type: 'string' },
        messages: {
          type: 'array',
          items: { type: 'object', properties: { cursor: { type: 'string' }, message: anyDelivered }, required: ['cursor', 'message'] },
        },
        next: { type: 'string', description: 'The cursor to read after next' },
        more: { type: 'boolean' },
        acknowledged: { type: 'string', description: "The client's acknowledged cursor" },
      },
      required: ['municipality', 'messages', 'next', 'more', 'acknowledged'],
    },
    acknowledgement: {
      type: 'object',
      description: 'Everything up to this cursor is stored: moves the client\'s own cursor (never back), deletes nothing',
      properties: { cursor: { type: 'string', description: 'A cursor the hub gave' } },
      required: ['cursor'],
    },
    acknowledged: {
      type: 'object',
      properties: { municipality: { type: 'string' }, acknowledged: { type: 'string' } },
      required: ['municipality', 'acknowledged'],
    },
    webhookPush: {
      type: 'object',
      description: 'The Standard Webhooks body: verify the signature over the raw body before reading it',
      properties: {
        type: { type: 'string', enum: [...delivered] },
        timestamp: { type: 'string', format: 'date-time', description: "The message's occurredAt" },
        data: { type: 'object', properties: { cursor: { type: 'string' }, message: anyDelivered }, required: ['cursor', 'message'] },
      },
      required: ['type', 'timestamp', 'data'],
    },
    webhookHeaders: {
      type: 'object',
      properties: {
        'webhook-id': { type: 'string', description: 'The message id, the same on every retry: refuse one you have already taken' },
        'webhook-timestamp': { type: 'string', description: 'Epoch seconds of the attempt; refuse one over 5 minutes off' },
        'webhook-signature': { type: 'string', description: '`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under the client\'s secret (whsec_…)' },
      },
      required: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    },
    targetList: toPublishedJsonSchema(outreachResult, 'the outreach result', 'output'),
  };
};

const withoutDialect = ({ $schema: _s, $id: _i, ...schema }: JsonSchema): JsonSchema => schema;

/** The AsyncAPI document for these published schemas (one per published type). */
export const asyncApiDocument = (schemas: Readonly<Record<PublishedType, JsonSchema>>): Doc => {
  const sent = routed(Object.keys(ingressRoutes), 'inbound', "ingress (topology's ingressRoutes)");
  const delivered = routed(inboxTypes, 'outbound', "the municipality's inbox (topology's inboxTypes)");
  const published = Object.keys(publishedTypes) as PublishedType[];
  const http = httpSchemas(sent, delivered);

  const typeMessage = (type: PublishedType) => ({
    name: type,
    title: type,
    summary: messageTypes[type].description,
    contentType: 'application/json',
    payload: schemaRef(type),
    ...(sent.includes(type) || delivered.includes(type) ? {} : { description: 'Fixed for vendors preparing for it: the hub does not accept or deliver this type yet.' }),
  });
  const httpMessage = (name: string, summary: string, statusCode?: number) => ({
    name,
    summary,
    contentType: 'application/json',
    payload: schemaRef(name),
    ...(statusCode ? { bindings: { http: { statusCode, bindingVersion: '0.3.0' } } } : {}),
  });
  const channelMessages = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, messageRef(name)]));
  const opMessages = (channel: string, names: readonly string[]) => names.map((name) => ref(`#/channels/${channel}/messages/${name}`));
  const method = (m: string, extra: Doc = {}) => ({ http: { method: m, ...extra, bindingVersion: '0.3.0' } });
  const security = [ref('#/components/securitySchemes/clientCertificate')];

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'koto-hub for municipal systems',
      version: '1.0.0',
      description: [
        'What a municipal system (or another authority) sends to the hub and receives from it. Every message is an envelope whose `type` names its version (`outreach.referral.v1`); a published version changes only compatibly, and a change that would break a sender or a receiver is a new version beside it.',
        'Receivers ignore fields they do not know: a new optional field is a compatible change. What JSON Schema cannot say (the HETU check character, current municipality codes, a business ID\'s check digit) is written in the field\'s description and checked by the hub.',
        'Generated by `npm run contracts:publish` from infra/topology.ts and the contracts\' zod schemas; do not edit by hand.',
      ].join('\n\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      aws: {
        host: '{doorDomainName}',
        protocol: 'https',
        description: "The door in AWS: API Gateway with mutual TLS on the hub's own domain, no other way in",
        variables: { doorDomainName: { description: "The stack parameter DoorDomainName: the hub's custom domain" } },
        security,
      },
      local: {
        host: '127.0.0.1:8911',
        protocol: 'https',
        description: "The embedded runtime's door (KOTO_DOOR_PORT; `npm start` prints the port it took), with the local CA's certificates",
        security,
      },
    },
    channels: {
      envelopes: {
        address: '/envelopes',
        title: 'Ingress',
        description: 'POST one envelope, or a JSON array of up to ten. The hub stamps `source` from the client certificate; a client sends only its permitted types, only for its municipalities.',
        messages: channelMessages(sent),
      },
      envelopeAnswers: {
        address: null,
        description: 'The HTTP answer to a POST /envelopes',
        messages: channelMessages(['accepted', 'refused']),
      },
      inbox: {
        address: '/inbox/{municipality}/messages',
        title: "A municipality's inbox",
        description: 'GET the messages after a cursor (`after`; without it, after the acknowledged cursor). Messages are kept 30 days; delivery is at least once: keep the messageIds you have handled.',
        parameters: { municipality: municipalityParameter },
        messages: channelMessages(['inboxPage']),
      },
      inboxAck: {
        address: '/inbox/{municipality}/ack',
        title: 'Acknowledgement',
        parameters: { municipality: municipalityParameter },
        messages: channelMessages(['acknowledgement', 'acknowledged']),
      },
      targetLists: {
        address: '/inbox/{municipality}/lists/{list}',
        title: "A run's target list",
        description: "The list of a ready run, streamed to the municipality's own client only: `<runId>.json` or `<runId>.csv`, the run id being the correlationId of its outreach.list.ready.v1",
        parameters: { municipality: municipalityParameter, list: { description: '`<runId>.json` or `<runId>.csv`' } },
        messages: channelMessages(['targetList']),
      },
      webhook: {
        address: null,
        title: "The client's webhook",
        description: 'The URL the client registered (https): each inbox message is also POSTed there, signed as the Standard Webhooks specification says. Answer 2xx once stored; anything else is retried with backoff for about 68 minutes, then left as a dead letter an operator redrives. The message is in the inbox either way.',
        messages: channelMessages(['webhookPush']),
      },
    },
    operations: {
      postEnvelopes: {
        action: 'receive',
        channel: ref('#/channels/envelopes'),
        summary: 'The hub takes envelopes from a client',
        bindings: method('POST'),
        messages: opMessages('envelopes', sent),
        reply: { channel: ref('#/channels/envelopeAnswers'), messages: opMessages('envelopeAnswers', ['accepted', 'refused']) },
      },
      readInbox: {
        action: 'send',
        channel: ref('#/channels/inbox'),
        summary: "The hub hands a client a page of its municipality's inbox",
        bindings: method('GET', {
          query: {
            type: 'object',
            properties: {
              after: { type: 'string', description: 'Read the messages after this cursor' },
              limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
            },
          },
        }),
        messages: opMessages('inbox', ['inboxPage']),
      },
      acknowledgeInbox: {
        action: 'receive',
        channel: ref('#/channels/inboxAck'),
        summary: 'The hub records how far a client has stored its inbox',
        bindings: method('POST'),
        messages: opMessages('inboxAck', ['acknowledgement']),
        reply: { channel: ref('#/channels/inboxAck'), messages: opMessages('inboxAck', ['acknowledged']) },
      },
      fetchTargetList: {
        action: 'send',
        channel: ref('#/channels/targetLists'),
        summary: "The hub streams a ready run's target list to the municipality's own client",
        bindings: method('GET'),
        messages: opMessages('targetLists', ['targetList']),
      },
      pushToWebhook: {
        action: 'send',
        channel: ref('#/channels/webhook'),
        summary: "The hub pushes each inbox message to the client's webhook",
        bindings: method('POST'),
        messages: opMessages('webhook', ['webhookPush']),
      },
    },
    components: {
      schemas: {
        ...Object.fromEntries(published.map((type) => [type, withoutDialect(schemas[type])])),
        ...Object.fromEntries(Object.entries(http).map(([name, schema]) => [name, withoutDialect(schema)])),
      },
      messages: {
        ...Object.fromEntries(published.map((type) => [type, typeMessage(type)])),
        accepted: httpMessage('accepted', 'Accepted', 202),
        refused: httpMessage('refused', 'Refused, with the reason'),
        inboxPage: httpMessage('inboxPage', 'A page of inbox messages', 200),
        acknowledgement: httpMessage('acknowledgement', 'How far the client has stored'),
        acknowledged: httpMessage('acknowledged', 'The acknowledged cursor', 200),
        targetList: {
          ...httpMessage('targetList', "A run's target list (`.json`; `.csv` has the target fields as columns, reasons joined by `;`)", 200),
        },
        webhookPush: {
          name: 'webhookPush',
          summary: 'One inbox message, signed',
          contentType: 'application/json',
          headers: schemaRef('webhookHeaders'),
          payload: schemaRef('webhookPush'),
        },
      },
      securitySchemes: {
        clientCertificate: {
          type: 'X509',
          description:
            "Mutual TLS: the client certificate is the caller's identity, mapped to its record in the hub's client registry (`koto-hub clients add` issues one locally). No header or field the caller writes says who it is.",
        },
      },
    },
  };
};
