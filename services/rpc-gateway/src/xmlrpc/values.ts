/**
 * The XML-RPC data model, kept as exact as Python's `xmlrpc.client` keeps it, because the
 * differential test compares what Python prints for our replies with what it prints for
 * its own server's:
 *
 * | XML-RPC            | here                 | why not the obvious JS type                     |
 * | ------------------ | -------------------- | ----------------------------------------------- |
 * | int, i4, i8, ...   | bigint               | `2` and `2.0` must stay different (Python: int/float) |
 * | double             | number               |                                                 |
 * | boolean            | boolean              |                                                 |
 * | string             | string               |                                                 |
 * | base64             | Buffer               |                                                 |
 * | dateTime.iso8601   | XmlRpcDateTime       | Python keeps the literal text; so do we         |
 * | array              | XmlRpcValue[]        |                                                 |
 * | struct             | Map<string, value>   | a plain object reorders integer-like keys       |
 * | nil                | null                 | only sent when `allowNone` is on, like Python   |
 */

export type XmlRpcValue =
  | bigint
  | number
  | boolean
  | string
  | Buffer
  | XmlRpcDateTime
  | null
  | XmlRpcValue[]
  | XmlRpcStruct;

export type XmlRpcStruct = Map<string, XmlRpcValue>;

/** dateTime.iso8601, kept as the text that was sent (`20261125T09:30:00`). */
export class XmlRpcDateTime {
  constructor(readonly value: string) {}

  /** From a JS Date, in the compact form Python's DateTime writes (UTC). */
  static fromDate(date: Date): XmlRpcDateTime {
    const iso = date.toISOString(); // 2026-11-25T09:30:00.000Z
    return new XmlRpcDateTime(`${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 19)}`);
  }

  /** As a Date, reading the compact or the dashed form as UTC; Invalid Date otherwise. */
  toDate(): Date {
    const m = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})/.exec(this.value);
    if (!m) return new Date(Number.NaN);
    return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  }
}

/** An XML-RPC fault: the protocol's way to raise an exception in the caller. */
export class Fault extends Error {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(`<Fault ${faultCode}: ${faultString}>`);
    this.name = 'Fault';
  }
}

export function isStruct(v: XmlRpcValue): v is XmlRpcStruct {
  return v instanceof Map;
}

/** Builds a struct from an object literal (keys in insertion order). */
export function struct(entries: Record<string, XmlRpcValue>): XmlRpcStruct {
  return new Map(Object.entries(entries));
}

/** The smallest and largest <int> XML-RPC allows (32-bit signed). */
export const MAXINT = 2n ** 31n - 1n;
export const MININT = -(2n ** 31n);
