/**
 * The fast path (fast-path.ts) must agree with saxes on every document it accepts, and
 * hand every other document to saxes: both routes give the same value or the same fault.
 */
import { describe, expect, it } from 'vitest';
import { encodeCall } from '../src/xmlrpc/encode.js';
import { fastTokenize } from '../src/xmlrpc/fast-path.js';
import { parseMethodCall } from '../src/xmlrpc/parse.js';
import { XmlRpcDateTime, type XmlRpcValue } from '../src/xmlrpc/values.js';

function outcome(xml: string, fastPath: boolean): unknown {
  try {
    return { ok: parseMethodCall(xml, { fastPath }) };
  } catch (err) {
    return { fault: (err as { faultCode: number }).faultCode, message: (err as Error).message };
  }
}

/** Whether the fast path alone takes the document (no saxes). */
function fastAccepts(xml: string): boolean {
  const sink = { open() {}, text() {}, close() {} };
  return fastTokenize(xml, sink);
}

function randomValue(rand: () => number, depth = 0): XmlRpcValue {
  const pick = Math.floor(rand() * (depth > 3 ? 8 : 10));
  const chars = [...'<>&"\' aZ\t\nÿ☃🐍]]>'];
  const str = () =>
    Array.from({ length: Math.floor(rand() * 12) }, () => chars[Math.floor(rand() * chars.length)]).join('');
  switch (pick) {
    case 0:
      return BigInt(Math.floor(rand() * 2 ** 32) - 2 ** 31);
    case 1:
      return (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20);
    case 2:
      return rand() < 0.5;
    case 3:
    case 4:
      return str();
    case 5:
      return Buffer.from(str());
    case 6:
      return new XmlRpcDateTime('20261125T10:00:00');
    case 7:
      return null;
    case 8:
      return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
    default:
      return new Map(
        Array.from({ length: Math.floor(rand() * 4) }, () => [str(), randomValue(rand, depth + 1)]),
      );
  }
}

describe('the XML fast path', () => {
  it('reads 2000 random calls exactly as saxes does, and takes them itself', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const xml = encodeCall('m', [randomValue(rand)], { allowNone: true });
      expect(fastAccepts(xml)).toBe(true);
      expect(outcome(xml, true)).toEqual(outcome(xml, false));
    }
  });

  const body = (inner: string) =>
    `<methodCall><methodName>m</methodName><params><param>${inner}</param></params></methodCall>`;
  it.each([
    ['character references', body('<value>&#65;&#x263A;&#x1F40D;&lt;&amp;</value>'), true],
    ['whitespace inside tags', body('<value ><int\n>5</int ></value\t>'), true],
    ['self-closing empty elements', body('<value><string/></value>') + '\n', true],
    ['a UTF-8 declaration', `<?xml version="1.0" encoding="UTF-8"?>${body('<value>x</value>')}`, true],
    ['a comment', body('<!-- c --><value>x</value>'), false],
    ['CDATA', body('<value><![CDATA[<x>]]></value>'), false],
    ['a carriage return', body('<value>a\r\nb</value>'), false],
    ['an attribute', body('<value a="1">x</value>'), false],
    ['a DOCTYPE', `<!DOCTYPE x>${body('<value>x</value>')}`, false],
    ['an undefined entity', body('<value>&nbsp;</value>'), false],
    ['a bare ampersand', body('<value>a & b</value>'), false],
    ['a reference to a forbidden character', body('<value>&#0;</value>'), false],
    ['a standalone declaration', `<?xml version="1.0" standalone="yes"?>${body('<value>x</value>')}`, false],
    ['leading whitespace before the declaration', ` <?xml version="1.0"?>${body('<value>x</value>')}`, false],
    ['an unknown element', body('<value><foo>1</foo></value>'), false],
    ['a mismatched end tag', body('<value><int>1</i4></value>'), false],
    ['an unclosed document', '<methodCall><methodName>m</methodName>', false],
    ['text after the root', `${body('<value>x</value>')}junk`, false],
    ['two roots', `${body('<value>x</value>')}${body('<value>x</value>')}`, false],
    ['a control character', body('<value>\u0001</value>'), false],
    ['a lone surrogate', body('<value>\ud800</value>'), false],
    ['"]]>" in text', body('<value>a]]>b</value>'), false],
    ['too deep', body('<value><array><data>'.repeat(30) + '</data></array></value>'.repeat(30)), true],
  ])('%s: same outcome both ways (fast path takes it: %s)', (_name, xml, fast) => {
    expect(fastAccepts(xml as string)).toBe(fast);
    expect(outcome(xml as string, true)).toEqual(outcome(xml as string, false));
  });
});
