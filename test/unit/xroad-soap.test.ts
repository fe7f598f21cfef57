import { describe, expect, it } from 'vitest';
import {
  SOAP_ENV_NS,
  SoapEnvelopeError,
  XROAD_ID_NS,
  XROAD_NS,
  buildSoapFault,
  buildSoapRequest,
  buildSoapResponse,
  formatXRoadId,
  parseSoapEnvelope,
  verifyEcho,
  type XRoadRequestHeaders,
} from '#contracts/xroad/soap';
import { parseClientId } from '#lib/xroad-client';
import {
  XRoadFault,
  faultFromHttpStatus,
  faultFromNetwork,
  faultFromRest,
  faultFromSoap,
  faultFromTimeout,
  isTransientFaultCode,
  isTransientHttpStatus,
  sanitizeFaultCode,
} from '#contracts/xroad/errors';
import {
  buildXRoadRestError,
  formatXRoadClientHeader,
  parseXRoadClientHeader,
  parseXRoadRestError,
  parseXRoadRestPath,
  xRoadRestHeaders,
  xRoadRestPath,
} from '#contracts/xroad/rest';
import { elementAt, parseXml, textAt } from '#contracts/xroad/xml';

const HETU = '131052-308T';

const headers = (overrides: Partial<XRoadRequestHeaders> = {}): XRoadRequestHeaders => ({
  client: { xRoadInstance: 'FI-TEST', memberClass: 'MUN', memberCode: '0209602-6', subsystemCode: 'koto-hub' },
  service: {
    xRoadInstance: 'FI-TEST',
    memberClass: 'GOV',
    memberCode: '0245437-2',
    subsystemCode: 'VTJkysely',
    serviceCode: 'HenkilonTunnusKysely',
    serviceVersion: 'v1',
  },
  id: '3f2b4e1c-6a1d-4c55-9f33-0a4b7c2e9d10',
  userId: 'koto-hub',
  protocolVersion: '4.0',
  ...overrides,
});

const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

describe('buildSoapRequest', () => {
  it('writes a SOAP 1.1 envelope with X-Road 4.0 headers in their namespaces', () => {
    const xml = buildSoapRequest(headers({ issue: 'outreach-2026-11' }), '<q:Ping xmlns:q="urn:q"/>');
    const root = parseXml(xml);
    expect(root.name).toBe('Envelope');
    expect(root.namespace).toBe(SOAP_ENV_NS);
    const header = elementAt(root, 'Header');
    const client = elementAt(header, 'client');
    expect(client?.namespace).toBe(XROAD_NS);
    expect(client?.attributes['objectType']).toBe('SUBSYSTEM');
    expect(elementAt(client, 'xRoadInstance')?.namespace).toBe(XROAD_ID_NS);
    expect(textAt(client, 'memberCode')).toBe('0209602-6');
    const service = elementAt(header, 'service');
    expect(service?.attributes['objectType']).toBe('SERVICE');
    expect(textAt(service, 'serviceCode')).toBe('HenkilonTunnusKysely');
    expect(textAt(service, 'serviceVersion')).toBe('v1');
    expect(textAt(header, 'id')).toBe('3f2b4e1c-6a1d-4c55-9f33-0a4b7c2e9d10');
    expect(textAt(header, 'userId')).toBe('koto-hub');
    expect(textAt(header, 'issue')).toBe('outreach-2026-11');
    expect(textAt(header, 'protocolVersion')).toBe('4.0');
    expect(elementAt(root, 'Body', 'Ping')?.namespace).toBe('urn:q');
  });

  it('leaves out issue and serviceVersion when not given', () => {
    const base = headers();
    const xml = buildSoapRequest({ ...base, service: { ...base.service, serviceVersion: undefined } }, '<x/>');
    const header = elementAt(parseXml(xml), 'Header');
    expect(textAt(header, 'issue')).toBeUndefined();
    expect(textAt(header, 'service', 'serviceVersion')).toBeUndefined();
  });

  it.each([
    ['ESC', '\u001b'],
    ['NUL', '\u0000'],
    ['DEL', '\u007f'],
    ['SOS (C1)', '\u0098'],
    ['tab', '\t'],
  ])('refuses an identifier with the control character %s, as X-Road does, naming the field', (_name, control) => {
    const error = errorOf(() => buildSoapRequest(headers({ client: { ...headers().client, subsystemCode: `koto${control}hub` } }), '<x/>'));
    expect(error).toBeInstanceOf(SoapEnvelopeError);
    expect(error.message).toContain('client.subsystemCode');
    expect(error.message).toContain('control characters');
  });

  it('accepts the identifier characters X-Road accepts in both of its modes', () => {
    for (const subsystemCode of ['abcXYZ019', "'()+,-.=?", 'a.b-c']) {
      expect(() => buildSoapRequest(headers({ client: { ...headers().client, subsystemCode } }), '<x/>')).not.toThrow();
    }
  });

  it('refuses a configured client identifier with a control character as a configuration error', () => {
    const error = errorOf(() => parseClientId('FI-TEST/MUN/0000000-0/koto\u001bhub'));
    expect(error.message).toMatch(/^configuration: KOTO_XROAD_CLIENT is not a valid X-Road identifier: subsystemCode: .*control characters/);
    expect(parseClientId('FI-TEST/MUN/0000000-0/koto-hub')).toEqual({ xRoadInstance: 'FI-TEST', memberClass: 'MUN', memberCode: '0000000-0', subsystemCode: 'koto-hub' });
  });

  it('refuses invalid headers, naming the field and not its value', () => {
    const cases: Partial<XRoadRequestHeaders>[] = [
      { id: 'not-a-uuid' },
      { client: { ...headers().client, memberCode: '' } },
      { client: { ...headers().client, subsystemCode: 'a/b' } },
      { protocolVersion: '3.1' as '4.0' },
      { userId: '' },
    ];
    for (const overrides of cases) {
      const error = errorOf(() => buildSoapRequest(headers(overrides), '<x/>'));
      expect(error).toBeInstanceOf(SoapEnvelopeError);
      expect((error as SoapEnvelopeError).code).toBe('invalid-headers');
      expect(error.message).not.toContain('not-a-uuid');
    }
  });

  it('escapes header values', () => {
    const xml = buildSoapRequest(headers({ userId: 'a<b>&"c"' }), '<x/>');
    expect(parseSoapEnvelope(xml).headers?.userId).toBe('a<b>&"c"');
  });
});

describe('parseSoapEnvelope', () => {
  it('reads back what buildSoapResponse wrote: headers echoed, body element', () => {
    const sent = headers();
    const envelope = parseSoapEnvelope(buildSoapResponse(sent, '<a:Answer xmlns:a="urn:a"><a:v>005</a:v></a:Answer>'));
    expect(envelope.fault).toBeNull();
    expect(envelope.headers).toMatchObject({ client: sent.client, service: sent.service, id: sent.id, userId: 'koto-hub', protocolVersion: '4.0' });
    expect(envelope.body?.name).toBe('Answer');
    expect(textAt(envelope.body, 'v')).toBe('005');
    expect(() => verifyEcho(sent, envelope.headers)).not.toThrow();
  });

  it('reads envelopes whatever prefixes the sender chose', () => {
    const xml = `<?xml version="1.0"?>
      <S:Envelope xmlns:S="${SOAP_ENV_NS}" xmlns:X="${XROAD_NS}" xmlns:I="${XROAD_ID_NS}">
        <S:Header>
          <X:protocolVersion>4.0</X:protocolVersion>
          <X:id>41fc10922728511e</X:id>
          <X:client I:objectType="SUBSYSTEM"><I:xRoadInstance>FI</I:xRoadInstance><I:memberClass>MUN</I:memberClass><I:memberCode>0101263-6</I:memberCode><I:subsystemCode>evaka</I:subsystemCode></X:client>
          <X:service I:objectType="SERVICE"><I:xRoadInstance>FI</I:xRoadInstance><I:memberClass>GOV</I:memberClass><I:memberCode>0245437-2</I:memberCode><I:subsystemCode>VTJkysely</I:subsystemCode><I:serviceCode>HenkilonTunnusKysely</I:serviceCode></X:service>
          <X:requestHash algorithmId="http://www.w3.org/2001/04/xmlenc#sha512">abc=</X:requestHash>
        </S:Header>
        <S:Body><Answer xmlns="urn:a"/></S:Body>
      </S:Envelope>`;
    const envelope = parseSoapEnvelope(xml);
    expect(envelope.headers?.id).toBe('41fc10922728511e');
    expect(envelope.headers?.requestHash).toBe('abc=');
    expect(envelope.headers?.service.serviceVersion).toBeUndefined();
    expect(envelope.body?.name).toBe('Answer');
  });

  it('reads a SOAP fault with faultcode, faultstring and detail; the prefix of the code is dropped', () => {
    const xml = buildSoapFault({ faultCode: 'Server.ServerProxy.ServiceFailed', faultString: 'Service failed', detail: 'a3c1' });
    const envelope = parseSoapEnvelope(xml);
    expect(envelope.headers).toBeNull();
    expect(envelope.body).toBeNull();
    expect(envelope.fault).toEqual({ faultCode: 'Server.ServerProxy.ServiceFailed', faultString: 'Service failed', faultActor: null, detail: 'a3c1' });

    const prefixed = `<soap:Envelope xmlns:soap="${SOAP_ENV_NS}"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>bad</faultstring><faultactor>vtj</faultactor></soap:Fault></soap:Body></soap:Envelope>`;
    expect(parseSoapEnvelope(prefixed).fault).toEqual({ faultCode: 'Client', faultString: 'bad', faultActor: 'vtj', detail: null });
  });

  it('keeps echoed headers on a provider fault', () => {
    const envelope = parseSoapEnvelope(buildSoapFault({ faultCode: 'Server', faultString: 'x' }, headers()));
    expect(envelope.headers?.id).toBe(headers().id);
    expect(envelope.fault?.faultCode).toBe('Server');
  });

  it('refuses a document that is not an envelope, or has no body, or broken headers', () => {
    expect((errorOf(() => parseSoapEnvelope('<Answer/>')) as SoapEnvelopeError).code).toBe('not-an-envelope');
    expect((errorOf(() => parseSoapEnvelope(`<e:Envelope xmlns:e="${SOAP_ENV_NS}"/>`)) as SoapEnvelopeError).code).toBe('no-body');
    const broken = `<e:Envelope xmlns:e="${SOAP_ENV_NS}"><e:Header><id>1</id><protocolVersion>4.0</protocolVersion></e:Header><e:Body/></e:Envelope>`;
    const error = errorOf(() => parseSoapEnvelope(broken)) as SoapEnvelopeError;
    expect(error.code).toBe('invalid-headers');
    expect(error.transient).toBe(false);
  });

  it('detects an answer that belongs to another request', () => {
    const sent = headers();
    const other = parseSoapEnvelope(buildSoapResponse({ ...sent, id: 'another' }, '<x/>')).headers;
    expect((errorOf(() => verifyEcho(sent, other)) as SoapEnvelopeError).code).toBe('echo-mismatch');
    const otherService = parseSoapEnvelope(buildSoapResponse({ ...sent, service: { ...sent.service, serviceCode: 'Muu' } }, '<x/>')).headers;
    expect(() => verifyEcho(sent, otherService)).toThrow(SoapEnvelopeError);
    expect(() => verifyEcho(sent, null)).toThrow(SoapEnvelopeError);
  });

  it('formats identifiers the way X-Road logs them', () => {
    expect(formatXRoadId(headers().service)).toBe('FI-TEST/GOV/0245437-2/VTJkysely/HenkilonTunnusKysely/v1');
    expect(formatXRoadId(headers().client)).toBe('FI-TEST/MUN/0209602-6/koto-hub');
  });
});

describe('fault classification', () => {
  it.each([
    ['Server.ClientProxy.NetworkError', true],
    ['Server.ServerProxy.ServiceFailed', true],
    ['Server.ServerProxy.ServiceFailed.HttpError', true],
    ['Server.ClientProxy.OutdatedGlobalConf', true],
    ['Server.ServerProxy.ServiceDisabled', true],
    ['Server', true],
    ['SOAP-ENV:Server', true],
    ['Client.Timeout', true],
    ['Server.ServerProxy.AccessDenied', false],
    ['Server.ServerProxy.UnknownService', false],
    ['Server.ClientProxy.UnknownMember', false],
    ['Client.InvalidSoap', false],
    ['Server.ServerProxy.ServiceFailed.InvalidSoap', false],
    ['Client', false],
    ['soap:Client', false],
    ['Garbage', false],
  ])('%s is transient: %s', (code, transient) => {
    expect(isTransientFaultCode(code)).toBe(transient);
    expect(faultFromSoap({ faultCode: code, faultString: '', faultActor: null, detail: null }).transient).toBe(transient);
  });

  it.each([
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [429, true],
    [408, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [501, false],
  ])('HTTP %i is transient: %s', (status, transient) => {
    expect(isTransientHttpStatus(status)).toBe(transient);
    expect(faultFromHttpStatus(status).transient).toBe(transient);
  });

  it('never carries the faultstring or the detail, which may quote the request', () => {
    const fault = faultFromSoap({ faultCode: 'Client', faultString: `no person ${HETU}`, faultActor: null, detail: `hetu=${HETU}` }, 500, 'VTJkysely');
    expect(fault).toBeInstanceOf(XRoadFault);
    expect(fault.message).not.toContain(HETU);
    expect(JSON.stringify(fault)).not.toContain(HETU);
    expect(fault.message).toContain('Client');
    expect(fault.message).toContain('VTJkysely');
    expect(fault.httpStatus).toBe(500);
  });

  it('replaces a fault code that could carry data', () => {
    expect(sanitizeFaultCode(`Client ${HETU}`)).toBe('Unknown');
    expect(sanitizeFaultCode('x'.repeat(201))).toBe('Unknown');
    expect(faultFromSoap({ faultCode: `<b>${HETU}</b>`, faultString: '', faultActor: null, detail: null }).faultCode).toBe('Unknown');
  });

  it('classifies REST errors by type, and by status when the type says nothing', () => {
    expect(faultFromRest({ type: 'Server.ClientProxy.NetworkError', message: '', detail: null }, 500).transient).toBe(true);
    expect(faultFromRest({ type: 'Client.BadRequest', message: '', detail: '' }, 400).transient).toBe(false);
    expect(faultFromRest({ type: 'Client.TooManyRequests', message: '', detail: '' }, 429).transient).toBe(true);
    expect(faultFromRest({ type: 'Server.ServerProxy.AccessDenied', message: '', detail: '' }, 500).transient).toBe(false);
    expect(faultFromRest({ type: 'whatever', message: '', detail: '' }, 503).transient).toBe(true);
    expect(faultFromRest({ type: 'whatever', message: '', detail: '' }, 404).transient).toBe(false);
  });

  it('keeps of a REST error’s detail only a list of rule codes, and drops a detail with anything else in it whole', () => {
    const rule = (detail: string | null) => faultFromRest({ type: 'Client.RuleViolation', message: `no plan for ${HETU}`, detail }, 422).detailCodes;
    expect(rule('FIRST_PLAN_OVER_ONE_YEAR')).toEqual(['FIRST_PLAN_OVER_ONE_YEAR']);
    expect(rule('UNKNOWN_PLAN, PLAN_TOO_LONG')).toEqual(['UNKNOWN_PLAN', 'PLAN_TOO_LONG']);
    expect(rule(`UNKNOWN_PLAN,${HETU}`)).toEqual([]);
    expect(rule('hetu: 131052-308T')).toEqual([]);
    expect(rule('a1b2c3d4-uuid-of-the-security-server')).toEqual([]);
    expect(rule(null)).toEqual([]);
    expect(rule(Array.from({ length: 21 }, () => 'A').join(','))).toEqual([]);
    expect(JSON.stringify(faultFromRest({ type: 'Client.RuleViolation', message: '', detail: `X,${HETU}` }, 422))).not.toContain(HETU);
  });

  it('treats timeouts and network failures as transient', () => {
    expect(faultFromTimeout('VTJkysely').transient).toBe(true);
    expect(faultFromNetwork().transient).toBe(true);
    expect(faultFromTimeout().source).toBe('timeout');
  });
});

describe('X-Road REST', () => {
  const service = { xRoadInstance: 'FI', memberClass: 'GOV', memberCode: '0245437-2', subsystemCode: 'VTJmutpa', serviceCode: 'api' };

  it('builds and reads the /r1 path, percent-encoding each part', () => {
    const path = xRoadRestPath(service, 'v1', 'kirjausavain', '2026-11-01');
    expect(path).toBe('/r1/FI/GOV/0245437-2/VTJmutpa/api/v1/kirjausavain/2026-11-01');
    expect(xRoadRestPath(service, 'a b', 'c/d')).toBe('/r1/FI/GOV/0245437-2/VTJmutpa/api/a%20b/c%2Fd');
    expect(parseXRoadRestPath(path)).toEqual({ service, rest: ['v1', 'kirjausavain', '2026-11-01'] });
    expect(parseXRoadRestPath('/r2/FI/GOV/x/y/z')).toBeNull();
    expect(parseXRoadRestPath('/r1/FI/GOV')).toBeNull();
  });

  it('writes and reads the X-Road-Client header', () => {
    const client = { xRoadInstance: 'FI', memberClass: 'MUN', memberCode: '0209602-6', subsystemCode: 'koto-hub' };
    expect(formatXRoadClientHeader(client)).toBe('FI/MUN/0209602-6/koto-hub');
    expect(parseXRoadClientHeader('FI/MUN/0209602-6/koto-hub')).toEqual(client);
    expect(parseXRoadClientHeader('FI/MUN/0209602-6')).toBeNull();
    expect(parseXRoadClientHeader('FI/MUN/0209602-6/a/b')).toBeNull();
    expect(parseXRoadClientHeader(undefined)).toBeNull();
    expect(xRoadRestHeaders({ client, id: 'abc', userId: 'koto-hub' })).toEqual({
      'X-Road-Client': 'FI/MUN/0209602-6/koto-hub',
      'X-Road-Id': 'abc',
      'X-Road-UserId': 'koto-hub',
    });
  });

  it('reads the error body {type, message, detail}', () => {
    const body = buildXRoadRestError('Server.ServerProxy.ServiceFailed', 'Service failed', 'a3c1');
    expect(parseXRoadRestError(body)).toEqual({ type: 'Server.ServerProxy.ServiceFailed', message: 'Service failed', detail: 'a3c1' });
    expect(parseXRoadRestError('{"type":"Client.X","message":"m"}')).toEqual({ type: 'Client.X', message: 'm' });
    expect(parseXRoadRestError('<html>')).toBeNull();
    expect(parseXRoadRestError('{"message":"m"}')).toBeNull();
  });
});
