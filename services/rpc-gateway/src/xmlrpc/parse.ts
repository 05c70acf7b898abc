/**
 * A hardened XML-RPC reader on top of saxes (a strict, well-kept, non-validating SAX
 * parser). Hardening, and why each point matters:
 *
 * - Any `<!DOCTYPE` is refused. XML-RPC never needs one, and a DTD is where entity bombs
 *   (billion laughs) and external entities (file and network reads) come from. saxes never
 *   expands DTD entities anyway; refusing the DOCTYPE makes the rule obvious and absolute.
 * - Only the five predefined entities and character references are decoded.
 * - Element depth is capped, so a deeply nested document cannot exhaust the stack or time.
 * - The body size is capped by the HTTP layer before any byte reaches the parser.
 * - Structure is checked as it streams: an element where the XML-RPC grammar does not
 *   allow it is an error at once, not after the whole document was read.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { DEFAULT_SERVER_OPTIONS } from '../config.js';
import {
  FAULT_INVALID_XMLRPC,
  FAULT_NOT_WELL_FORMED,
  FAULT_UNSUPPORTED_ENCODING,
  XmlRpcParseError,
} from './errors.js';
import { fastTokenize } from './fast-path.js';
import { CHILDREN, SCALARS } from './grammar.js';
import { invalid, scalar } from './scalars.js';
import { Fault, type XmlRpcStruct, type XmlRpcValue } from './values.js';

export * from './errors.js';

export interface ParseLimits {
  /** Deepest element nesting accepted. @default 64 */
  maxDepth?: number;
  /** Try the hand-checked fast path before saxes (fast-path.ts). @default true */
  fastPath?: boolean;
}

export const DEFAULT_MAX_DEPTH: number = DEFAULT_SERVER_OPTIONS.maxDepth;

export interface MethodCall {
  methodName: string;
  params: XmlRpcValue[];
}

export type MethodResponse = { fault: Fault } | { value: XmlRpcValue };

type Container =
  | { kind: 'root'; values: XmlRpcValue[] }
  | { kind: 'array'; values: XmlRpcValue[] }
  | { kind: 'struct'; map: XmlRpcStruct }
  | { kind: 'member'; name?: string; value?: XmlRpcValue; hasValue: boolean };

interface ValueFrame {
  text: string;
  typed: boolean;
  result: XmlRpcValue;
}

interface Document {
  root: 'methodCall' | 'methodResponse';
  methodName: string | undefined;
  params: XmlRpcValue[];
  fault: XmlRpcValue | undefined;
  hasFault: boolean;
}

type Reader = (xml: string, maxDepth: number) => Document;

/** Turns element and text events (from saxes or the fast path) into a Document. */
interface Builder {
  begin(maxDepth: number): void;
  open(name: string, hasAttributes: boolean): void;
  text(t: string): void;
  close(name: string): void;
  document(): Document;
}

function createBuilder(): Builder {
  let maxDepth = DEFAULT_MAX_DEPTH;
  let path: string[] = [];
  let containers: Container[] = [];
  let frames: ValueFrame[] = [];
  let text = '';
  let doc = newDocument();
  let seenRoot = false;

  const deliver = (value: XmlRpcValue) => {
    const top = containers[containers.length - 1];
    if (!top) return invalid('<value> outside of params, fault, array or struct');
    if (top.kind === 'member') {
      if (top.hasValue) invalid('<member> with two values');
      top.value = value;
      top.hasValue = true;
    } else if (top.kind === 'struct') invalid('<value> directly inside <struct>; wrap it in <member>');
    else top.values.push(value);
  };

  const open = (name: string, hasAttributes: boolean) => {
    const parent = path[path.length - 1];
    if (path.length >= maxDepth) {
      throw new XmlRpcParseError(
        FAULT_INVALID_XMLRPC,
        `invalid XML-RPC: nested deeper than ${maxDepth} elements`,
      );
    }
    if (parent === undefined) {
      if (seenRoot) invalid('more than one root element');
      if (name !== 'methodCall' && name !== 'methodResponse')
        invalid(`root element is <${name}>, expected <methodCall> or <methodResponse>`);
      seenRoot = true;
      doc.root = name;
    } else {
      const allowed = CHILDREN[parent];
      if (!allowed?.has(name)) invalid(`<${name}> is not allowed inside <${parent}>`);
    }
    if (hasAttributes) invalid(`<${name}> has attributes; XML-RPC uses none`);
    path.push(name);
    text = '';
    switch (name) {
      case 'params':
        containers.push({ kind: 'root', values: doc.params });
        break;
      case 'fault':
        doc.hasFault = true;
        containers.push({ kind: 'root', values: [] });
        break;
      case 'value':
        frames.push({ text: '', typed: false, result: null });
        break;
      case 'array':
      case 'struct': {
        const frame = frames[frames.length - 1]!;
        if (frame.typed) invalid('<value> with two types');
        frame.typed = true;
        containers.push(
          name === 'array' ? { kind: 'array', values: [] } : { kind: 'struct', map: new Map() },
        );
        break;
      }
      case 'member':
        containers.push({ kind: 'member', hasValue: false });
        break;
      default:
        if (SCALARS.has(name)) {
          const frame = frames[frames.length - 1]!;
          if (frame.typed) invalid('<value> with two types');
          frame.typed = true;
        }
    }
  };
  const onText = (t: string) => {
    const current = path[path.length - 1];
    if (current === 'value') frames[frames.length - 1]!.text += t;
    else if (
      current !== undefined &&
      (SCALARS.has(current) || current === 'methodName' || current === 'name')
    )
      text += t;
    else if (t.trim() !== '') {
      invalid(
        current ? `text ${JSON.stringify(t.slice(0, 40))} inside <${current}>` : 'text outside the root',
      );
    }
  };
  const close = (name: string) => {
    path.pop();
    switch (name) {
      case 'methodName':
        doc.methodName = text;
        return;
      case 'name': {
        const member = containers[containers.length - 1] as Extract<Container, { kind: 'member' }>;
        if (member.name !== undefined) invalid('<member> with two names');
        member.name = text;
        return;
      }
      case 'value': {
        const frame = frames.pop()!;
        if (frame.typed && frame.text.trim() !== '')
          invalid(`text ${JSON.stringify(frame.text.trim().slice(0, 40))} beside a typed value`);
        deliver(frame.typed ? frame.result : frame.text);
        return;
      }
      case 'array':
      case 'struct': {
        const c = containers.pop()!;
        frames[frames.length - 1]!.result = c.kind === 'array' ? c.values : (c as { map: XmlRpcStruct }).map;
        return;
      }
      case 'member': {
        const m = containers.pop() as Extract<Container, { kind: 'member' }>;
        if (m.name === undefined) invalid('<member> without <name>');
        if (!m.hasValue) invalid(`<member> ${JSON.stringify(m.name)} without <value>`);
        (containers[containers.length - 1] as { map: XmlRpcStruct }).map.set(m.name, m.value ?? null);
        return;
      }
      case 'params':
        containers.pop();
        return;
      case 'fault': {
        const c = containers.pop() as { values: XmlRpcValue[] };
        if (c.values.length !== 1) invalid('<fault> must hold exactly one value');
        doc.fault = c.values[0];
        return;
      }
      default:
        if (SCALARS.has(name)) frames[frames.length - 1]!.result = scalar(name, text);
    }
  };

  return {
    begin(depth) {
      maxDepth = depth;
      path = [];
      containers = [];
      frames = [];
      text = '';
      doc = newDocument();
      seenRoot = false;
    },
    open,
    text: onText,
    close,
    document: () => doc,
  };
}

/**
 * saxes with the builder behind it: one parser reused document after document (saxes
 * resets itself at the end of each). Every refusal of hostile XML happens here.
 */
function createReader(position: boolean): Reader {
  const parser = new SaxesParser({ position, xmlns: false });
  const builder = createBuilder();
  parser.on('xmldecl', (decl) => {
    // The HTTP layer decodes bodies as UTF-8; a document declaring anything else would be
    // misread, so it is refused rather than guessed at.
    if (decl.encoding !== undefined && !/^(utf-?8|us-ascii|ascii)$/i.test(decl.encoding)) {
      throw new XmlRpcParseError(
        FAULT_UNSUPPORTED_ENCODING,
        `parse error: unsupported encoding ${decl.encoding}; send UTF-8`,
      );
    }
  });
  parser.on('doctype', () => {
    throw new XmlRpcParseError(
      FAULT_NOT_WELL_FORMED,
      'refused: the document has a <!DOCTYPE>; XML-RPC needs none, and DTDs carry entity bombs',
    );
  });
  parser.on('processinginstruction', (pi) => {
    invalid(`processing instruction <?${pi.target}?> is not allowed`);
  });
  parser.on('opentag', (tag: SaxesTagPlain) =>
    builder.open(tag.name, Object.keys(tag.attributes).length > 0),
  );
  parser.on('text', (t) => builder.text(t));
  parser.on('cdata', (t) => builder.text(t));
  parser.on('closetag', (tag: SaxesTagPlain) => builder.close(tag.name));
  parser.on('error', (err) => {
    throw new NotWellFormed(err.message);
  });
  return (xml, depth) => {
    builder.begin(depth);
    parser.write(xml).close();
    return builder.document();
  };
}

/** saxes found the text is not XML at all (as opposed to XML that is not XML-RPC). */
class NotWellFormed extends XmlRpcParseError {
  constructor(detail: string) {
    super(FAULT_NOT_WELL_FORMED, `parse error: not well formed: ${detail}`);
  }
}

const newDocument = (): Document => ({
  root: 'methodCall',
  methodName: undefined,
  params: [],
  fault: undefined,
  hasFault: false,
});

// Position tracking costs about half of saxes' time, so the reader in use runs without it;
// when a document is not well formed, a second pass with positions says where it broke.
let reader: Reader | undefined;

let fastBuilder: Builder | undefined;

/** The fast path's answer, or undefined when saxes must read the document. */
function fastRead(xml: string, maxDepth: number): Document | undefined {
  const builder = fastBuilder ?? createBuilder();
  fastBuilder = undefined; // taken, as the reader below
  builder.begin(maxDepth);
  let complete = false;
  try {
    complete = fastTokenize(xml, builder);
  } catch {
    // A refusal is saxes' to word (it may see a different, earlier problem).
  }
  fastBuilder = builder;
  return complete ? builder.document() : undefined;
}

function parseDocument(xml: string, limits: ParseLimits): Document {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const fast = limits.fastPath === false ? undefined : fastRead(xml, maxDepth);
  if (fast) return fast;
  const current = reader ?? createReader(false);
  reader = undefined; // taken: an exception leaves it mid-document, and a nested use must not share it
  const doc = current(xml, maxDepth);
  reader = current;
  return doc;
}

function parseWithPositions(xml: string, limits: ParseLimits, fallback: unknown): never {
  // Throws the same error as the fast reader, this time with a line:column prefix.
  createReader(true)(xml, limits.maxDepth ?? DEFAULT_MAX_DEPTH);
  throw fallback;
}

function parse(xml: string, limits: ParseLimits): Document {
  try {
    return parseDocument(xml, limits);
  } catch (err) {
    if (err instanceof NotWellFormed) parseWithPositions(xml, limits, err);
    throw err;
  }
}

/** Reads a <methodCall> (what a server receives). */
export function parseMethodCall(xml: string, limits: ParseLimits = {}): MethodCall {
  const doc = parse(xml, limits);
  if (doc.root !== 'methodCall') invalid('expected <methodCall>');
  if (doc.methodName === undefined) invalid('<methodCall> without <methodName>');
  return { methodName: doc.methodName, params: doc.params };
}

/** Reads a <methodResponse> (what a client receives); a fault comes back as a Fault. */
export function parseMethodResponse(xml: string, limits: ParseLimits = {}): MethodResponse {
  const doc = parse(xml, limits);
  if (doc.root !== 'methodResponse') invalid('expected <methodResponse>');
  if (doc.hasFault) {
    const f = doc.fault;
    const code = f instanceof Map ? f.get('faultCode') : undefined;
    const str = f instanceof Map ? f.get('faultString') : undefined;
    if (typeof code !== 'bigint' || typeof str !== 'string')
      invalid('<fault> without faultCode and faultString');
    return { fault: new Fault(Number(code), str) };
  }
  if (doc.params.length !== 1) invalid(`a response has exactly one param, got ${doc.params.length}`);
  return { value: doc.params[0]! };
}
