/** The fault codes a refused XML-RPC document gets (xmlrpc-epi's interoperability list). */
import { PROTOCOL_CODES } from '../errors.js';
import { Fault } from './values.js';

/** -32700: not well-formed XML (the xmlrpc-epi fault code interoperability convention). */
export const FAULT_NOT_WELL_FORMED = PROTOCOL_CODES.PARSE_ERROR;
/** -32701: an encoding other than UTF-8 declared. */
export const FAULT_UNSUPPORTED_ENCODING = PROTOCOL_CODES.UNSUPPORTED_ENCODING;
/** -32702: bytes that are not valid UTF-8. */
export const FAULT_INVALID_CHARACTER = PROTOCOL_CODES.INVALID_CHARACTER;
/** -32600: well-formed XML that is not a valid XML-RPC document. */
export const FAULT_INVALID_XMLRPC = PROTOCOL_CODES.INVALID_REQUEST;

/** Thrown for any document we refuse; carries the fault code to send back. */
export class XmlRpcParseError extends Fault {
  constructor(code: number, message: string) {
    super(code, message);
    this.name = 'XmlRpcParseError';
  }
}
