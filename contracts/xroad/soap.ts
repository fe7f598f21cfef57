/**
 * SOAP 1.1 over X-Road (Suomi.fi Data Exchange Layer), message protocol 4.0 (X-Road: Message
 * Protocol v4.0, PR-MESS): the envelope with the `client`, `service`, `id`, `userId`, `issue` and
 * `protocolVersion` headers in `http://x-road.eu/xsd/xroad.xsd`, identifiers in
 * `http://x-road.eu/xsd/identifiers`. A provider echoes the request headers in its answer (the
 * security server adds `requestHash`); a failure is a SOAP Fault in the body.
 *
 * Builders write fixed prefixes (`SOAP-ENV`, `xrd`, `id`); the parser matches local names only,
 * since real services use varying prefixes.
 */
import * as z from '#contracts/zod';
import {
  XML_DECLARATION,
  childElement,
  childElements,
  parseXml,
  textAt,
  textElement,
  xmlElement,
  type XmlElement,
  type XmlParseOptions,
} from '#contracts/xroad/xml';

export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const XROAD_NS = 'http://x-road.eu/xsd/xroad.xsd';
export const XROAD_ID_NS = 'http://x-road.eu/xsd/identifiers';
export const XROAD_PROTOCOL_VERSION = '4.0';

/**
 * PR-MESS 2.7: identifiers may not hold colon, semicolon, percent, slash or backslash (they break
 * the REST path and logs). X-Road's own identifier validation (legacy and strict modes alike) also
 * refuses every control character (Unicode Cc: U+0000–U+001F, U+007F–U+009F); an XML writer would
 * otherwise send one altered or dropped. Whitespace is refused too: only X-Road's legacy mode takes
 * a space, and a configured identifier with one is a mistake.
 */
const identifierPart = z.lazy(() =>
  z
    .string()
    .check(
      z.minLength(1, 'must not be empty'),
      z.maxLength(255, 'must be at most 255 characters'),
      z.regex(/^[^:;%/\\\s\p{Cc}]+$/u, 'must not contain colon, semicolon, percent, slash, backslash, whitespace or control characters'),
    ),
);

export const xRoadInstances = ['FI', 'FI-TEST', 'FI-DEV'] as const;

/** The fields of a client identifier, which a service identifier extends. */
const clientIdFields = () => ({
  /** `FI` in production, `FI-TEST` in the customer test environment. */
  xRoadInstance: identifierPart,
  /** `GOV`, `MUN`, `ORG`, `COM`, … */
  memberClass: identifierPart,
  /** The member's business ID, e.g. `0245437-2`. */
  memberCode: identifierPart,
  subsystemCode: identifierPart,
});

export const xRoadClientId = z.lazy(() => z.object(clientIdFields()));

export const xRoadServiceId = z.lazy(() =>
  z.object({
    ...clientIdFields(),
    serviceCode: identifierPart,
    serviceVersion: z.optional(identifierPart),
  }),
);

/** Headers of a request the hub sends: `id` is a fresh UUID per message. */
export const xRoadRequestHeaders = z.lazy(() =>
  z.object({
    client: xRoadClientId,
    service: xRoadServiceId,
    id: z.uuid('must be a UUID'),
    /** The end user or system on whose behalf the query is made; never a personal identity code here. */
    userId: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(255)),
    /** Case or matter the query belongs to (optional in PR-MESS). */
    issue: z.optional(z.string().check(z.maxLength(1024))),
    protocolVersion: z.literal(XROAD_PROTOCOL_VERSION, 'must be 4.0'),
  }),
);

/** Headers as read back from an answer: providers echo `id` as they got it, not always a UUID. */
export const xRoadEchoedHeaders = z.lazy(() =>
  z.object({
    client: xRoadClientId,
    service: xRoadServiceId,
    id: z.string().check(z.minLength(1, 'must not be empty')),
    userId: z.optional(z.string()),
    issue: z.optional(z.string()),
    protocolVersion: z.string().check(z.minLength(1, 'must not be empty')),
    requestHash: z.optional(z.string()),
  }),
);

export type XRoadClientId = z.infer<typeof xRoadClientId>;
export type XRoadServiceId = z.infer<typeof xRoadServiceId>;
export type XRoadRequestHeaders = z.infer<typeof xRoadRequestHeaders>;
export type XRoadEchoedHeaders = z.infer<typeof xRoadEchoedHeaders>;

export interface SoapFault {
  /** `faultcode` with any namespace prefix removed, e.g. `Server.ServerProxy.ServiceFailed`. */
  readonly faultCode: string;
  readonly faultString: string;
  readonly faultActor: string | null;
  /** Text content of `detail`, flattened; may quote the request, so never logged. */
  readonly detail: string | null;
}

export interface SoapEnvelope {
  /** X-Road headers, when the envelope has them (security-server faults have none). */
  readonly headers: XRoadEchoedHeaders | null;
  /** First element in `Body` that is not a Fault. */
  readonly body: XmlElement | null;
  readonly fault: SoapFault | null;
}

/** An envelope that parsed as XML but is not a usable SOAP/X-Road message. Permanent. */
export class SoapEnvelopeError extends Error {
  override readonly name = 'SoapEnvelopeError';
  readonly transient = false;
  constructor(
    readonly code: 'not-an-envelope' | 'no-body' | 'invalid-headers' | 'echo-mismatch',
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Building

const identifierElements = (id: XRoadClientId | XRoadServiceId): string[] => {
  const parts = [
    textElement('id:xRoadInstance', id.xRoadInstance),
    textElement('id:memberClass', id.memberClass),
    textElement('id:memberCode', id.memberCode),
    textElement('id:subsystemCode', id.subsystemCode),
  ];
  if ('serviceCode' in id) {
    parts.push(textElement('id:serviceCode', id.serviceCode));
    if (id.serviceVersion !== undefined) parts.push(textElement('id:serviceVersion', id.serviceVersion));
  }
  return parts;
};

const headerElements = (headers: Omit<XRoadEchoedHeaders, 'requestHash'> & { requestHash?: string }): string[] => [
  xmlElement('xrd:client', identifierElements(headers.client), { 'id:objectType': 'SUBSYSTEM' }),
  xmlElement('xrd:service', identifierElements(headers.service), { 'id:objectType': 'SERVICE' }),
  textElement('xrd:id', headers.id),
  ...(headers.userId !== undefined ? [textElement('xrd:userId', headers.userId)] : []),
  ...(headers.issue !== undefined ? [textElement('xrd:issue', headers.issue)] : []),
  textElement('xrd:protocolVersion', headers.protocolVersion),
  ...(headers.requestHash !== undefined
    ? [textElement('xrd:requestHash', headers.requestHash, { algorithmId: 'http://www.w3.org/2001/04/xmlenc#sha512' })]
    : []),
];

const envelope = (header: readonly string[], body: string): string =>
  XML_DECLARATION +
  xmlElement(
    'SOAP-ENV:Envelope',
    [header.length > 0 ? xmlElement('SOAP-ENV:Header', header) : '', xmlElement('SOAP-ENV:Body', body)],
    { 'xmlns:SOAP-ENV': SOAP_ENV_NS, 'xmlns:xrd': XROAD_NS, 'xmlns:id': XROAD_ID_NS },
  );

/**
 * A request envelope. `bodyXml` is the service's request element, already serialised (the
 * service builders in `contracts/<system>/wire.ts` write it). Headers are validated first.
 */
export function buildSoapRequest(headers: XRoadRequestHeaders, bodyXml: string): string {
  const valid = xRoadRequestHeaders.safeParse(headers);
  if (!valid.success) {
    throw new SoapEnvelopeError('invalid-headers', `X-Road request headers are invalid: ${issuePaths(valid.error)}`);
  }
  return envelope(headerElements(valid.data), bodyXml);
}

/** An answer envelope echoing the request headers (what a provider, or a mock, sends back). */
export function buildSoapResponse(echoed: XRoadEchoedHeaders, bodyXml: string): string {
  return envelope(headerElements(echoed), bodyXml);
}

/** A SOAP 1.1 Fault envelope, optionally with the echoed X-Road headers. */
export function buildSoapFault(fault: { faultCode: string; faultString: string; detail?: string }, echoed?: XRoadEchoedHeaders): string {
  const body = xmlElement('SOAP-ENV:Fault', [
    textElement('faultcode', fault.faultCode),
    textElement('faultstring', fault.faultString),
    fault.detail !== undefined ? xmlElement('detail', textElement('faultDetail', fault.detail)) : '',
  ]);
  return envelope(echoed ? headerElements(echoed) : [], body);
}

// ---------------------------------------------------------------------------------------------
// Parsing

const IDENTIFIER_FIELDS = ['xRoadInstance', 'memberClass', 'memberCode', 'subsystemCode', 'serviceCode', 'serviceVersion'] as const;

const readIdentifier = (element: XmlElement | null): Record<string, string> | undefined => {
  if (!element) return undefined;
  const out: Record<string, string> = {};
  for (const field of IDENTIFIER_FIELDS) {
    const value = textAt(element, field);
    if (value !== undefined) out[field] = value;
  }
  return out;
};

const issuePaths = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ');

function readHeaders(header: XmlElement | null): XRoadEchoedHeaders | null {
  if (!header) return null;
  const client = childElement(header, 'client');
  const service = childElement(header, 'service');
  if (!client && !service && !childElement(header, 'id')) return null;
  const raw = {
    client: readIdentifier(client),
    service: readIdentifier(service),
    id: textAt(header, 'id'),
    userId: textAt(header, 'userId'),
    issue: textAt(header, 'issue'),
    protocolVersion: textAt(header, 'protocolVersion'),
    requestHash: textAt(header, 'requestHash'),
  };
  const parsed = xRoadEchoedHeaders.safeParse(raw);
  if (!parsed.success) {
    throw new SoapEnvelopeError('invalid-headers', `X-Road headers in the SOAP envelope are invalid: ${issuePaths(parsed.error)}`);
  }
  return parsed.data;
}

const stripPrefix = (qname: string): string => {
  const colon = qname.indexOf(':');
  return colon === -1 ? qname : qname.slice(colon + 1);
};

const flatten = (element: XmlElement): string =>
  [element.text, ...element.children.map(flatten)].filter((t) => t !== '').join(' ');

function readFault(fault: XmlElement): SoapFault {
  const detail = childElement(fault, 'detail');
  return {
    faultCode: stripPrefix(textAt(fault, 'faultcode') ?? ''),
    faultString: textAt(fault, 'faultstring') ?? '',
    faultActor: textAt(fault, 'faultactor') ?? null,
    detail: detail ? flatten(detail) || null : null,
  };
}

/** Reads an already parsed SOAP envelope. */
export function readSoapEnvelope(root: XmlElement): SoapEnvelope {
  if (root.name !== 'Envelope') {
    throw new SoapEnvelopeError('not-an-envelope', `expected a SOAP Envelope, got a document whose root element is not Envelope`);
  }
  const body = childElement(root, 'Body');
  if (!body) throw new SoapEnvelopeError('no-body', 'SOAP envelope has no Body');
  const headers = readHeaders(childElement(root, 'Header'));
  const faultElement = childElements(body, 'Fault')[0];
  return {
    headers,
    body: body.children.find((child) => child.name !== 'Fault') ?? null,
    fault: faultElement ? readFault(faultElement) : null,
  };
}

/** Parses a SOAP envelope safely (`parseXml`) and reads its headers, body element and fault. */
export function parseSoapEnvelope(document: string | Uint8Array, options?: XmlParseOptions): SoapEnvelope {
  return readSoapEnvelope(parseXml(document, options));
}

/**
 * Checks that an answer echoes the request (PR-MESS: the provider returns the request's headers):
 * same message id and same service. A mismatch means the answer belongs to another request.
 */
export function verifyEcho(request: XRoadRequestHeaders, answer: XRoadEchoedHeaders | null): void {
  if (!answer) throw new SoapEnvelopeError('echo-mismatch', 'SOAP answer has no X-Road headers to match against the request');
  if (answer.id !== request.id) throw new SoapEnvelopeError('echo-mismatch', 'SOAP answer echoes a different X-Road message id');
  const same = (['xRoadInstance', 'memberClass', 'memberCode', 'subsystemCode', 'serviceCode'] as const).every(
    (field) => answer.service[field] === request.service[field],
  );
  if (!same) throw new SoapEnvelopeError('echo-mismatch', 'SOAP answer echoes a different X-Road service');
}

/** `INSTANCE/CLASS/MEMBER/SUBSYSTEM[/SERVICE[/VERSION]]`, the way X-Road logs identifiers. */
export const formatXRoadId = (id: XRoadClientId | XRoadServiceId): string =>
  [
    id.xRoadInstance,
    id.memberClass,
    id.memberCode,
    id.subsystemCode,
    ...('serviceCode' in id ? [id.serviceCode, ...(id.serviceVersion ? [id.serviceVersion] : [])] : []),
  ].join('/');
