/** The XML-RPC grammar as data: which elements exist and what each may contain. */

/** Elements that hold a scalar's text. */
export const SCALARS = new Set([
  'int',
  'i4',
  'i8',
  'i1',
  'i2',
  'biginteger',
  'double',
  'float',
  'boolean',
  'string',
  'base64',
  'dateTime.iso8601',
  'nil',
]);

export const VALUE_TYPES = new Set([...SCALARS, 'array', 'struct']);

/** Which children each element may have (text-only elements have none). */
export const CHILDREN: Record<string, ReadonlySet<string>> = {
  methodCall: new Set(['methodName', 'params']),
  methodResponse: new Set(['params', 'fault']),
  params: new Set(['param']),
  param: new Set(['value']),
  fault: new Set(['value']),
  value: VALUE_TYPES,
  array: new Set(['data']),
  data: new Set(['value']),
  struct: new Set(['member']),
  member: new Set(['name', 'value']),
};

/** Every element name XML-RPC has. */
export const ELEMENT_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(CHILDREN),
  ...SCALARS,
  'methodName',
  'name',
]);
