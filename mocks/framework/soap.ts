/**
 * SOAP answers of the mocks: the SOAP 1.1 fault envelope an X-Road security server or provider
 * returns (the default body of a `soapFault` fault effect), and what a SOAP provider's mock (VTJ,
 * UMA) does first with a request: read its envelope, or answer the fault a provider answers.
 */
import { buildSoapFault, parseSoapEnvelope, type SoapEnvelope } from '#contracts/xroad/soap';
import type { MockResponse } from '#mocks/framework/routes';

/** A SOAP answer: `body` is a whole envelope (contracts/xroad/soap.ts builds them). */
export const soapAnswer = (status: number, body: string): MockResponse => ({ status, headers: { 'content-type': 'text/xml; charset=utf-8' }, body });

/**
 * A SOAP 1.1 fault, as an X-Road security server or provider returns it (HTTP 500), echoing the
 * request's X-Road headers where it had them.
 */
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
