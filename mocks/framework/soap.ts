/**
 * SOAP answers of the mocks: the SOAP 1.1 fault envelope an X-Road security server or provider
 * returns (the default body of a `soapFault` fault effect), and what a SOAP provider's mock (VTJ,
 * UMA) does first with a request: read its envelope, or answer the fault a provider answers.
 */
import { buildSoapFault, parseSoapEnvelope, type SoapEnvelope } from '#contracts/xroad/soap';
import type { MockResponse } from '#mocks/framework/routes';

const escapeXml = (text: string): string =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

/** A SOAP 1.1 fault envelope, as an X-Road security server or provider returns it (HTTP 500). */
export function soapFaultResponse(faultcode: string, faultstring: string, detail = ''): MockResponse {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">' +
    '<SOAP-ENV:Body><SOAP-ENV:Fault>' +
    `<faultcode>${escapeXml(faultcode)}</faultcode>` +
    `<faultstring>${escapeXml(faultstring)}</faultstring>` +
    (detail ? `<detail>${escapeXml(detail)}</detail>` : '') +
    '</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>';
  return { status: 500, headers: { 'content-type': 'text/xml; charset=utf-8' }, body };
}

/** A SOAP answer: `body` is a whole envelope (contracts/xroad/soap.ts builds them). */
export const soapAnswer = (status: number, body: string): MockResponse => ({ status, headers: { 'content-type': 'text/xml; charset=utf-8' }, body });

/** A provider's SOAP fault, echoing the request's X-Road headers where it had them. */
export const soapFaultAnswer = (faultCode: string, faultString: string, envelope?: SoapEnvelope): MockResponse =>
  soapAnswer(500, buildSoapFault({ faultCode, faultString }, envelope?.headers ?? undefined));

/** The request's SOAP envelope, or the fault a provider answers a body that is none. */
export const readSoapRequest = (body: string): { readonly envelope: SoapEnvelope } | { readonly refused: MockResponse } => {
  try {
    return { envelope: parseSoapEnvelope(body) };
  } catch {
    return { refused: soapFaultAnswer('Client.InvalidSoap', 'The request is not a valid SOAP envelope') };
  }
};
