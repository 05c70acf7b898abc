/**
 * Chapter 4's dns_basic.py and dns_mx.py through Node's DNS client (node:dns Resolver, which
 * asks the servers given, or the system's): the record types the book asks for, and
 * RFC 5321's rule for mail: the MX records in order of preference, and when a domain has
 * none, the domain itself as the one mail host (section 5.1, "implicit MX").
 */
import { Resolver } from 'node:dns/promises';
import { say } from '@fopnp/net';

/** A resolver that asks `server` (host or host:port) when given, else the system's servers. */
export function resolverFor(server?: string): Resolver {
  const resolver = new Resolver({ timeout: 3_000, tries: 2 });
  if (server) resolver.setServers([server]);
  return resolver;
}

const noRecords = (err: unknown) =>
  ['ENODATA', 'ENOTFOUND'].includes((err as NodeJS.ErrnoException).code ?? '');

/** One type's records, or [] when the name has none of that type (or does not exist). */
async function query<T>(ask: () => Promise<T[]>): Promise<T[]> {
  try {
    return await ask();
  } catch (err) {
    if (noRecords(err)) return [];
    throw err;
  }
}

/**
 * dns_basic.py: the A, AAAA, CNAME, MX and NS records of a name, one line each in the zone
 * file form dnspython prints (`name. TTL IN A 192.0.2.1`).
 */
export async function dnsBasic(name: string, resolver: Resolver): Promise<void> {
  const fqdn = name.endsWith('.') ? name : `${name}.`;
  const line = (ttl: number | undefined, type: string, data: string) =>
    say(`${fqdn} ${ttl ?? 0} IN ${type} ${data}`);
  for (const r of await query(() => resolver.resolve4(name, { ttl: true }))) line(r.ttl, 'A', r.address);
  for (const r of await query(() => resolver.resolve6(name, { ttl: true }))) line(r.ttl, 'AAAA', r.address);
  for (const r of await query(() => resolver.resolveCname(name))) line(undefined, 'CNAME', `${r}.`);
  for (const r of await query(() => resolver.resolveMx(name)))
    line(undefined, 'MX', `${r.priority} ${r.exchange}.`);
  for (const r of await query(() => resolver.resolveNs(name))) line(undefined, 'NS', `${r}.`);
}

/** dns_mx.py's resolve_hostname: A, else AAAA, else follow a CNAME (at most 8 deep). */
async function resolveHostname(
  hostname: string,
  resolver: Resolver,
  indent: string,
  depth = 0,
): Promise<void> {
  const inner = `${indent}    `;
  const a = await query(() => resolver.resolve4(hostname));
  if (a.length) {
    for (const address of a) say(`${inner} ${hostname} has A address ${address}`);
    return;
  }
  const aaaa = await query(() => resolver.resolve6(hostname));
  if (aaaa.length) {
    for (const address of aaaa) say(`${inner} ${hostname} has AAAA address ${address}`);
    return;
  }
  const cname = await query(() => resolver.resolveCname(hostname));
  if (cname.length && depth < 8) {
    say(`${inner} ${hostname} is a CNAME alias for ${cname[0]}`);
    await resolveHostname(cname[0]!, resolver, inner, depth + 1);
    return;
  }
  say(`${inner} ERROR: no A, AAAA, or CNAME records for ${hostname}`);
}

/** dns_mx.py: where mail for `domain` goes. */
export async function dnsMx(domain: string, resolver: Resolver): Promise<void> {
  let records: { priority: number; exchange: string }[];
  try {
    records = await resolver.resolveMx(domain);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND') {
      say(`Error: No such domain ${domain}`);
      return;
    }
    if (code !== 'ENODATA') throw err;
    records = [];
  }
  if (!records.length) {
    say('This domain has no explicit MX records');
    say('Attempting to resolve it as an A, AAAA, or CNAME');
    await resolveHostname(domain, resolver, '');
    return;
  }
  records.sort((x, y) => x.priority - y.priority);
  say(`This domain has ${records.length} MX records`);
  for (const r of records) {
    say(`Priority ${r.priority}`);
    await resolveHostname(r.exchange, resolver, '');
  }
}
