/** The XML-RPC codec alone: every type round-trips, and Python's layout is what we write. */
import { describe, expect, it } from 'vitest';
import { encodeCall, encodeFault, encodeResponse, encodeValue, MarshalError } from '../src/xmlrpc/encode.js';
import { parseMethodCall, parseMethodResponse } from '../src/xmlrpc/parse.js';
import { Fault, XmlRpcDateTime, type XmlRpcValue } from '../src/xmlrpc/values.js';

describe('XML-RPC codec', () => {
  it('round-trips every type, keeping int and double apart and struct order intact', () => {
    const params: XmlRpcValue[] = [
      42n,
      -2147483648n,
      2.0,
      -0.5,
      true,
      false,
      'Unicode ÿ ☃ 🐍 <&>',
      '',
      Buffer.from([0, 1, 2, 255]),
      new XmlRpcDateTime('20261125T09:30:00'),
      null,
      [1n, [2.5, ['deep']]],
      new Map<string, XmlRpcValue>([
        ['2', 'two'],
        ['1', 'one'],
        ['__proto__', 'kept as a key'],
      ]),
    ];
    const parsed = parseMethodCall(encodeCall('m', params, { allowNone: true }));
    expect(parsed.methodName).toBe('m');
    expect(parsed.params).toEqual(params);
    expect([...(parsed.params[12] as Map<string, XmlRpcValue>).keys()]).toEqual(['2', '1', '__proto__']);
  });

  it('reads untyped values as strings and the integer spellings Python accepts', () => {
    const xml = `<methodCall><methodName>m</methodName><params>
      <param><value>plain text</value></param>
      <param><value><i4> 7 </i4></value></param>
      <param><value><i8>9007199254740993</i8></value></param>
      <param><value><double>1e400</double></value></param>
      <param><value><double>-inf</double></value></param>
      <param><value><string><![CDATA[<cdata & text>]]></string></value></param>
    </params></methodCall>`;
    expect(parseMethodCall(xml).params).toEqual([
      'plain text',
      7n,
      9007199254740993n,
      Infinity,
      -Infinity,
      '<cdata & text>',
    ]);
  });

  it('writes what Python writes for a response', () => {
    expect(encodeResponse(['a', 1n, 2.0])).toBe(
      "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><string>a</string></value>\n<value><int>1</int></value>\n<value><double>2.0</double></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n",
    );
  });

  it('refuses what XML-RPC cannot carry, with Python messages', () => {
    expect(() => encodeValue(2n ** 31n)).toThrow(
      new MarshalError('OverflowError', 'int exceeds XML-RPC limits'),
    );
    expect(() => encodeValue(null)).toThrow('cannot marshal None unless allow_none is enabled');
    expect(encodeValue(null, { allowNone: true })).toBe('<value><nil/></value>');
    const loop: XmlRpcValue[] = [];
    loop.push(loop);
    expect(() => encodeValue(loop)).toThrow('cannot marshal recursive sequences');
    expect(() => encodeValue('bell \u0007')).toThrow('XML 1.0 cannot carry');
  });

  it('writes any fault, replacing characters XML cannot carry', () => {
    expect(parseMethodResponse(encodeFault(new Fault(-32013, 'reply "\u0000\u0007ok"')))).toEqual({
      fault: new Fault(-32013, 'reply "\ufffd\ufffdok"'),
    });
  });

  it('reads a fault back as a Fault', () => {
    expect(parseMethodResponse(encodeFault(new Fault(4, 'Too many parameters.')))).toEqual({
      fault: new Fault(4, 'Too many parameters.'),
    });
  });
});
