#!/usr/bin/env node
/**
 * rpc-gateway: the book's chapter 18 scripts as commands — `server` (xmlrpc_server.py),
 * `client` (xmlrpc_client.py), `multicall` (xmlrpc_multicall.py), `introspect`
 * (xmlrpc_introspect.py), `jsonrpc-client` (jsonrpc_client.py) — plus `call` for any
 * method over either protocol, and the long-running `serve`.
 */
import {
  complain,
  defineCommand,
  defineOptions,
  definePositional,
  portOption,
  runCli,
  say,
  serveCommand,
} from '@fopnp/net/cli';
import { manifest, rpcOptions } from './manifest.js';
import type { XmlRpcValue } from './xmlrpc/values.js';

/** The commands' code, loaded when one runs, so `--help` loads no XML, HTTP or kit runtime code (issue 20). */
async function load() {
  const [
    { formatHostPort, listen },
    client,
    { JSONRPC_PATH },
    { createRpcServer },
    { fromPlain },
    python,
    values,
  ] = await Promise.all([
    import('@fopnp/net'),
    import('./client.js'),
    import('./http/pipeline.js'),
    import('./server.js'),
    import('./xmlrpc/convert.js'),
    import('./xmlrpc/python.js'),
    import('./xmlrpc/values.js'),
  ]);
  const { pyRepr, pyStr } = python;
  const { Fault } = values;
  const xmlUrl = (host: string, p: number) => `http://${formatHostPort(host, p)}/RPC2`;
  const jsonUrl = (host: string, p: number, path = JSONRPC_PATH) =>
    `http://${formatHostPort(host, p)}${path.startsWith('/') ? path : `/${path}`}`;
  /** Prints what Python prints for a call: the value, or the Fault's repr. */
  async function show(call: () => Promise<XmlRpcValue>): Promise<void> {
    try {
      say(pyStr(await call()));
    } catch (err) {
      if (!(err instanceof Fault)) throw err;
      say(`<Fault ${err.faultCode}: ${pyRepr(err.faultString)}>`);
    }
  }
  return {
    ...client,
    createRpcServer,
    formatHostPort,
    fromPlain,
    listen,
    pyRepr,
    pyStr,
    Fault,
    xmlUrl,
    jsonUrl,
    show,
  };
}

const port = portOption(manifest, 'HTTP port');
const token = { type: 'string', env: 'RPC_TOKEN', description: 'bearer token to send' } as const;
const hostArg = definePositional({
  name: 'HOST',
  description: 'server host name or address',
  required: false,
  default: '127.0.0.1',
});
const clientOptions = defineOptions({ port, token });

const server = defineCommand({
  description: "xmlrpc_server.py: the book's three functions with introspection and multicall (no gateway)",
  positionals: [{ ...hostArg, description: 'interface to listen on' }],
  options: defineOptions({ port, ...rpcOptions }),
  async run({ values, positionals }) {
    const { formatHostPort, listen, createRpcServer } = await load();
    const { server: http } = createRpcServer({ ...values, authTokens: values.authTokens });
    const bound = await listen(http, values.port, positionals.HOST);
    say(`Server ready (http://${formatHostPort(positionals.HOST, bound)}/RPC2)`);
    await new Promise<void>((resolve) => {
      const stop = () => http.close(() => resolve());
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
});

const client = defineCommand({
  description: "xmlrpc_client.py: the book's calls, printed as Python prints them",
  positionals: [hostArg],
  options: clientOptions,
  async run({ values, positionals }) {
    const { XmlRpcClient, xmlUrl, show } = await load();
    const proxy = new XmlRpcClient(xmlUrl(positionals.HOST, values.port), { token: values.token });
    await show(() => proxy.call('addtogether', 'x', 'ÿ', 'z'));
    await show(() => proxy.call('addtogether', 20n, 30n, 4n, 1n));
    await show(() => proxy.call('quadratic', 2n, -4n, 0n));
    await show(() => proxy.call('quadratic', 1n, 2n, 1n));
    await show(() => proxy.call('remote_repr', [1n, 2.0, 'three']));
    await show(() => proxy.call('remote_repr', [1n, 2.0, 'three']));
    await show(() =>
      proxy.call(
        'remote_repr',
        new Map<string, XmlRpcValue>([
          ['name', 'Arthur'],
          [
            'data',
            new Map<string, XmlRpcValue>([
              ['age', 42n],
              ['sex', 'M'],
            ]),
          ],
        ]),
      ),
    );
    await show(() => proxy.call('quadratic', 1n, 0n, 1n));
  },
});

const multicall = defineCommand({
  description: 'xmlrpc_multicall.py: three calls in one round trip (system.multicall)',
  positionals: [hostArg],
  options: clientOptions,
  async run({ values, positionals }) {
    const { XmlRpcClient, pyRepr, pyStr, Fault, xmlUrl } = await load();
    const proxy = new XmlRpcClient(xmlUrl(positionals.HOST, values.port), { token: values.token });
    const answers = await proxy.multicall([
      { method: 'addtogether', params: ['a', 'b', 'c'] },
      { method: 'quadratic', params: [2n, -4n, 0n] },
      { method: 'remote_repr', params: [[1n, 2.0, 'three']] },
    ]);
    for (const a of answers)
      say(a instanceof Fault ? `<Fault ${a.faultCode}: ${pyRepr(a.faultString)}>` : pyStr(a));
  },
});

const introspect = defineCommand({
  description: 'xmlrpc_introspect.py: list the methods with their signatures and help',
  positionals: [hostArg],
  options: defineOptions({
    ...clientOptions,
    all: { type: 'boolean', description: 'include system.* methods' },
  }),
  async run({ values, positionals }) {
    const { XmlRpcClient, pyRepr, pyStr, xmlUrl } = await load();
    const proxy = new XmlRpcClient(xmlUrl(positionals.HOST, values.port), { token: values.token });
    say('Here are the functions supported by this server:');
    for (const name of (await proxy.call('system.listMethods')) as string[]) {
      if (name.startsWith('system.') && !values.all) continue;
      const signatures = await proxy.call('system.methodSignature', name);
      if (Array.isArray(signatures) && signatures.length) {
        for (const s of signatures) say(`${name}(${pyRepr(s)})`);
      } else say(`${name}(...)`);
      const help = await proxy.call('system.methodHelp', name);
      if (help) say(`   ${pyStr(help)}`);
    }
  },
});

const jsonrpcClient = defineCommand({
  description:
    "jsonrpc_client.py: lengths((1, 2, 3), 27, {'Sirius': -1.46, 'Rigel': 0.12}) over JSON-RPC 2.0",
  positionals: [hostArg],
  options: defineOptions({
    ...clientOptions,
    path: {
      type: 'string',
      default: '/',
      description:
        "path to POST to: / is where the book's jsonrpc_server.py answers, and ours too (by Content-Type); ours also has /jsonrpc",
    },
  }),
  async run({ values, positionals }) {
    const { JsonRpcCallError, JsonRpcClient, fromPlain, pyRepr, jsonUrl } = await load();
    const proxy = new JsonRpcClient(jsonUrl(positionals.HOST, values.port, values.path), {
      token: values.token,
    });
    try {
      say(pyRepr(fromPlain(await proxy.call('lengths', [[1, 2, 3], 27, { Sirius: -1.46, Rigel: 0.12 }]))));
    } catch (err) {
      if (!(err instanceof JsonRpcCallError)) throw err;
      complain(`error: ${proxy.url} answered with a JSON-RPC error: ${err.message}`);
      return 1;
    }
  },
});

/** A command-line argument as JSON when it parses, else as a string. */
function parseArg(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const call = defineCommand({
  description: 'call any method: arguments are JSON (1, 2.5, "s", [..], {..}) or plain strings',
  positionals: [
    { name: 'METHOD', description: 'method name, e.g. zen.ask' },
    { name: 'ARGS', description: 'arguments', variadic: true, required: false },
  ],
  options: defineOptions({
    ...clientOptions,
    // No -H and no --json: across the CLIs -H is a request header (http-app, as curl) and
    // --json an output format (tls-inspector); this option is a protocol.
    host: { type: 'string', default: '127.0.0.1', description: 'server host' },
    jsonrpc: { type: 'boolean', description: 'use JSON-RPC 2.0 instead of XML-RPC' },
  }),
  async run({ values, positionals }) {
    const { JsonRpcClient, XmlRpcClient, fromPlain, pyStr, Fault, xmlUrl, jsonUrl } = await load();
    const args = positionals.ARGS.map(parseArg);
    const method = positionals.METHOD;
    if (values.jsonrpc) {
      const proxy = new JsonRpcClient(jsonUrl(values.host, values.port), { token: values.token });
      say(JSON.stringify(await proxy.call(method, args), null, 2));
      return;
    }
    const proxy = new XmlRpcClient(xmlUrl(values.host, values.port), { token: values.token });
    try {
      say(pyStr(await proxy.call(method, ...args.map(fromPlain))));
    } catch (err) {
      if (!(err instanceof Fault)) throw err;
      process.stderr.write(`fault ${err.faultCode}: ${err.faultString}\n`);
      return 1;
    }
  },
});

const serve = serveCommand({
  manifest,
  start: async (ctx) => (await import('./service.js')).startService(ctx),
  description: 'long-running XML-RPC + JSON-RPC server and gateway, with /healthz, /readyz, /metrics',
});

process.exitCode = await runCli({
  name: 'rpc-gateway',
  description: manifest.description,
  commands: { serve, server, client, multicall, introspect, 'jsonrpc-client': jsonrpcClient, call },
});
