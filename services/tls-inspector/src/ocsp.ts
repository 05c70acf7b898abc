/**
 * The stapled OCSP response a server may send in its handshake (RFC 6066 status_request):
 * parsed just enough to say whether it is there, whether the responder succeeded, and what
 * it says of the certificate. Signature checking of the response is OpenSSL's job in a
 * real client; an inspector reports what was stapled.
 */
import { BasicOCSPResponse, OCSPResponse, OCSPResponseStatus } from '@peculiar/asn1-ocsp';
import { AsnConvert } from '@peculiar/asn1-schema';
import { isoSeconds } from './certificate.js';

export interface OcspSummary {
  stapled: boolean;
  /** Size of the DER response. */
  bytes: number;
  /** successful, malformedRequest, internalError, tryLater, sigRequired, unauthorized. */
  responseStatus: string | null;
  /** Status of the first certificate in the response: good, revoked or unknown. */
  certStatus: 'good' | 'revoked' | 'unknown' | null;
  thisUpdate: string | null;
  nextUpdate: string | null;
  revokedAt: string | null;
  /** Why parsing failed, when it did. */
  error: string | null;
}

export const NO_OCSP: OcspSummary = {
  stapled: false,
  bytes: 0,
  responseStatus: null,
  certStatus: null,
  thisUpdate: null,
  nextUpdate: null,
  revokedAt: null,
  error: null,
};

export function summarizeOcsp(der: Buffer | null): OcspSummary {
  if (!der) return NO_OCSP;
  const summary: OcspSummary = { ...NO_OCSP, stapled: true, bytes: der.length };
  try {
    const response = AsnConvert.parse(der, OCSPResponse);
    summary.responseStatus = OCSPResponseStatus[response.responseStatus] ?? String(response.responseStatus);
    if (!response.responseBytes) return summary;
    const basic = AsnConvert.parse(response.responseBytes.response, BasicOCSPResponse);
    const single = basic.tbsResponseData.responses[0];
    if (!single) return summary;
    const status = single.certStatus;
    summary.certStatus = status.revoked ? 'revoked' : status.unknown !== undefined ? 'unknown' : 'good';
    summary.thisUpdate = isoSeconds(single.thisUpdate);
    summary.nextUpdate = single.nextUpdate ? isoSeconds(single.nextUpdate) : null;
    summary.revokedAt = status.revoked ? isoSeconds(status.revoked.revocationTime) : null;
  } catch (err) {
    summary.error = `unparseable OCSP response: ${err instanceof Error ? err.message : String(err)}`;
  }
  return summary;
}
