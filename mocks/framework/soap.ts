/**
 * SOAP answers of the mocks: the SOAP 1.1 fault envelope an X-Road security server or provider
 * returns, the default body of a `soapFault` fault effect.
 */
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
