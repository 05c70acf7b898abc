/**
 * How each row with a command is checked against the book's own program: what runs
 * beside what, and what must be printed. Rows checked elsewhere, or not checkable here,
 * say so in UNCHECKED with the reason.
 */
import path from 'node:path';
import { BOOK, type Check } from './harness.js';

const P = ['-p', '{port}'];
const CH06 = path.join(BOOK, 'chapter06');
/** Python 3.11's warnings about the book's ssl calls, on stderr. */
const SSL_WARNINGS = [/DeprecationWarning/, /^\s+(context = |ssl\.match_hostname)/];
/** The first recv() returns what has arrived by then: one 16-byte chunk or several. */
const FIRST_DATA = [/says b'CAPITALIZE THIS![^']*'/, "says b'CAPITALIZE THIS!…'"] as const;
const ZEN_ANSWERS = /Beautiful is better than\? Ugly\./;
/** The book's client prints bytes reprs (b'Simple is better than?' b'Complex.'), ours the text. */
const ZEN_TEXT = [/^b'(.*)' b'(.*)'$/gm, '$1 $2'] as const;

/** Debian's Python, which has python3-jsonrpclib-pelix (ci/prereqs.sh installs it). */
const DEBIAN_PYTHON = '/usr/bin/python3';
const LENGTHS = /^\[\[3, \[1, 2, 3\]\], \[None, 27\], \[2, \{'Sirius': -1\.46, 'Rigel': 0\.12\}\]\]$/;

/** www_ping.py's port 80 ('www') on the test's free port instead: nothing here may use port 80. */
const WWW_ON_PORT: readonly (readonly [string, string])[] = [
  ["'www'", '{port}'],
  ['on port 80', 'on port {port}'],
];

/** srv_asyncio2.py on Python 3.11: @asyncio.coroutine is gone; the same coroutine with async/await. */
const ASYNCIO2_ON_311: readonly (readonly [string, string])[] = [
  ['@asyncio.coroutine\ndef ', 'async def '],
  ['yield from ', 'await '],
];

/**
 * app_insecure.py under Debian's Python (Flask, and bs4/lxml for mscrape.py), from a patched
 * copy: Flask's fixed port 5000 becomes the test's, debug off (its reloader would fork a second
 * server), and the templates are read from the book's folder by a FileSystemLoader (Jinja2 3's
 * PackageLoader cannot load from a script run as __main__); mscrape.py imports selenium (not
 * installed, and unused without -s), so that import is dropped. bank.db is created afresh in
 * the copy's folder with the book's three payments; ours keeps the same ones in memory.
 */
const INSECURE_BANK = {
  args: [],
  oursArgs: P,
  ready: /Running on|insecure bank on/,
  python: DEBIAN_PYTHON,
  patches: {
    'chapter11/app_insecure.py': [
      ['from jinja2 import Environment, PackageLoader', 'from jinja2 import Environment, FileSystemLoader'],
      [
        "PackageLoader(__name__, 'templates')",
        `FileSystemLoader(${JSON.stringify(path.join(BOOK, 'chapter11', 'templates'))})`,
      ],
      ['app.debug = True', 'app.debug = False'],
      ['app.run()', "app.run(host='127.0.0.1', port={port})"],
    ],
    'chapter11/mscrape.py': [['from selenium import webdriver\n', '']],
  },
  // Our seed adds brandon's $25 lunch with sam (http-app's README): that line out, the total less 25.
  rewrite: [
    [/^ +25 {2}Lunch at The Kirk\n/m, ''],
    [/^( +)350 {2}Total payments made$/m, '$1325  Total payments made'],
  ],
  expect:
    /^\s+125 {2}Registration for PyCon\n\s+200 {2}Payment for writing that code\n[\s\S]*\s+325 {2}Total payments made$/m,
} as const;

/** The book's client.py against a zen server started as `row` with these arguments. */
function zenServerCheck(title: string, args: readonly string[]): Check {
  return {
    kind: 'server',
    title,
    args,
    client: { file: 'chapter07/client.py', args: ['127.0.0.1', ...P] },
    unordered: true,
    rewrite: [ZEN_TEXT],
    patches: { 'chapter07/srv_asyncio2.py': ASYNCIO2_ON_311 },
    expect: ZEN_ANSWERS,
  };
}

export const CHECKS: Readonly<Record<string, readonly Check[]>> = {
  'chapter01/getname.py': [
    {
      kind: 'solo',
      title: 'both print the address of a name (localhost: the test stays off the internet)',
      args: [],
      oursArgs: ['localhost'],
      patches: { 'chapter01/getname.py': [["hostname = 'maps.google.com'", "hostname = 'localhost'"]] },
      expect: /^The IP address of localhost is 127\.0\.0\.1$/,
    },
  ],
  'chapter01/stringcodes.py': [
    {
      kind: 'solo',
      title: 'both print the decoded string and write the same eagle.txt',
      args: [],
      files: ['eagle.txt'],
      expect: /^'413 is in\.'\n--- eagle\.txt\nWe copy you down, Eagle\.$/,
    },
  ],
  'chapter04/www_ping.py': [
    {
      kind: 'client',
      title: 'both connect to a listening server and say so',
      peer: { file: 'chapter03/tcp_sixteen.py', args: ['server', '127.0.0.1', ...P] },
      args: ['localhost'],
      oursArgs: ['localhost', ...P],
      patches: { 'chapter04/www_ping.py': WWW_ON_PORT },
      expect: /^Success: host localhost is listening on port PORT$/,
    },
    {
      kind: 'solo',
      title: 'both say the connection was refused where nothing listens',
      args: ['localhost'],
      oursArgs: ['localhost', ...P],
      patches: { 'chapter04/www_ping.py': WWW_ON_PORT },
      expect: /^Network failure: Connection refused$/,
    },
  ],
  'chapter05/blocks.py': [
    {
      kind: 'server',
      title: "our server prints the book's client's blocks as the book's server does",
      args: P,
      client: { file: 'chapter05/blocks.py', args: ['-c', ...P] },
      serverOutput: /Simple is better than complex/,
      expect: /Block says: b'Simple is better than complex\.'/,
    },
    {
      kind: 'client',
      title: "the book's server prints our client's blocks as it prints its own client's",
      peer: { file: 'chapter05/blocks.py', args: P, ready: /Listening at/ },
      args: ['-c', ...P],
      serverOutput: /Simple is better than complex/,
      expect: /Block says: b'Simple is better than complex\.'/,
    },
  ],
  'chapter05/streamer.py': [
    {
      kind: 'server',
      title: "our server reads the book's client's stream to its end and prints the message",
      args: P,
      client: { file: 'chapter05/streamer.py', args: ['-c', ...P] },
      serverOutput: /Simple is better than complex/,
      // How the stream arrives in reads is the network's business.
      ignore: [/^Received \d+ bytes$/],
      expect: /Received zero bytes - end of file\nMessage:\nBeautiful is better than ugly\./,
    },
    {
      kind: 'client',
      title: "the book's server reads our client's stream to its end",
      peer: { file: 'chapter05/streamer.py', args: P, ready: /Listening at/ },
      args: ['-c', ...P],
      serverOutput: /Simple is better than complex/,
      ignore: [/^Received \d+ bytes$/],
      expect: /Received zero bytes - end of file\nMessage:\nBeautiful is better than ugly\./,
    },
  ],
  'chapter16/shell.py': [
    {
      kind: 'solo',
      title: 'both split the lines as typed, with no shell to expand or quote them',
      args: [],
      input: "show *.txt $HOME 'a b' x;y\n\necho Hello, world!\nno-such-command-fopnp\nexit\n",
      expect:
        /^\] Arguments: \['\*\.txt', '\$HOME', "'a", "b'", 'x;y'\]\n\] \] Hello, world!\n\] \[Errno 2\] No such file or directory: 'no-such-command-fopnp'\n\]$/,
    },
  ],
  'chapter02/udp_local.py': [
    {
      kind: 'server',
      title: "the book's client gets the same reply from our server, which prints the same lines",
      args: ['server', ...P],
      client: { file: 'chapter02/udp_local.py', args: ['client', ...P] },
      udp: true,
      serverOutput: / says /,
      expect: /replied 'Your data was 38 bytes long'/,
    },
    {
      kind: 'client',
      title: "our client gets its length back from the book's server",
      peer: { file: 'chapter02/udp_local.py', args: ['server', ...P] },
      args: ['client', ...P],
      udp: true,
      same: false,
      expect: /'Your data was \d+ bytes long'/,
    },
  ],
  'chapter02/udp_remote.py': [
    {
      kind: 'server',
      title: "the book's client gets the same answer from our server (the book's drops half on purpose)",
      args: ['server', '127.0.0.1', ...P],
      client: { file: 'chapter02/udp_remote.py', args: ['client', '127.0.0.1', ...P] },
      udp: true,
      bookTries: 5,
      ignore: [/^Waiting up to/],
      expect: /The server says 'Your data was 23 bytes long'/,
    },
    {
      kind: 'client',
      title: "our client resends until the book's dropping server answers",
      peer: { file: 'chapter02/udp_remote.py', args: ['server', '127.0.0.1', ...P] },
      args: ['client', '127.0.0.1', ...P],
      // The book's server drops each datagram with probability 1/2: more sends than the book's five.
      oursArgs: ['client', '127.0.0.1', ...P, '--attempts', '16'],
      udp: true,
      bookTries: 5,
      ignore: [/^Waiting up to/],
      expect: /The server says 'Your data was 23 bytes long'/,
    },
  ],
  'chapter02/udp_broadcast.py': [
    {
      kind: 'server',
      title: "our server hears the book's client broadcast on 127.255.255.255",
      args: ['server', '0.0.0.0', ...P],
      client: { file: 'chapter02/udp_broadcast.py', args: ['client', '127.255.255.255', ...P] },
      udp: true,
      serverOutput: /Broadcast datagram!/,
      same: false,
      expect: /The client at \('127\.0\.0\.1', N\) says:? 'Broadcast datagram!'/,
    },
    {
      kind: 'client',
      title: "the book's server hears our client's broadcast",
      peer: { file: 'chapter02/udp_broadcast.py', args: ['server', '0.0.0.0', ...P] },
      args: ['client', '127.255.255.255', ...P],
      udp: true,
      serverOutput: /Broadcast datagram!/,
      ignore: [/^Sent /],
      expect: /The client at \('127\.0\.0\.1', N\) says: 'Broadcast datagram!'/,
    },
  ],
  'chapter02/big_sender.py': [
    {
      kind: 'solo',
      title: "both are refused the book's 999,999-byte datagram and say the MTU",
      args: ['127.0.0.1', ...P],
      oursArgs: ['127.0.0.1', ...P, '--size', '999999'],
      udp: true,
      // Ours adds where the path MTU comes from, and the EMSGSIZE line on stderr.
      ignore: [/^ {2}path MTU /, /^error: datagram of 999999 bytes/],
      expect: /^Alas, the datagram did not make it\nActual MTU: \d+/,
    },
  ],
  'chapter03/tcp_sixteen.py': [
    {
      kind: 'server',
      title: "the book's client gets the farewell from our server, which prints the book's lines",
      args: ['server', '127.0.0.1', ...P],
      client: { file: 'chapter03/tcp_sixteen.py', args: ['client', '127.0.0.1', ...P] },
      serverOutput: /Reply sent, socket closed\s+Waiting to accept/,
      expect: /The server said b'Farewell, client'/,
    },
    {
      kind: 'client',
      title: "our client prints what the book's prints against the book's server",
      peer: { file: 'chapter03/tcp_sixteen.py', args: ['server', '127.0.0.1', ...P] },
      args: ['client', '127.0.0.1', ...P],
      expect: /The server said b'Farewell, client'/,
    },
  ],
  'chapter03/tcp_deadlock.py': [
    {
      kind: 'server',
      title: "the book's client gets its bytes back upper-cased from our server",
      args: ['server', '127.0.0.1', ...P],
      client: { file: 'chapter03/tcp_deadlock.py', args: ['client', '127.0.0.1', '64', ...P] },
      serverOutput: /Socket closed/,
      ignore: [/^\s*\d+ bytes (sent|received|processed)/],
      rewrite: [
        // Our server reads up to 64 KiB at a time, the book's 1024 bytes.
        [/Processing up to \d+ bytes/, 'Processing up to N bytes'],
        FIRST_DATA,
      ],
      expect: /The first data received says b'CAPITALIZE THIS!/,
    },
    {
      kind: 'client',
      title: "our client sends and reads back from the book's server",
      peer: { file: 'chapter03/tcp_deadlock.py', args: ['server', '127.0.0.1', ...P] },
      args: ['client', '127.0.0.1', '64', ...P],
      ignore: [/^\s*\d+ bytes (sent|received)/],
      // Ours says how much each write carried.
      rewrite: [[/ \(\d+ per write\)/, ''], FIRST_DATA],
      expect: /The first data received says b'CAPITALIZE THIS!/,
    },
  ],
  'chapter06/test_tls.py': [
    {
      kind: 'client',
      title: "ours reports the book's test_tls.py -s server as the book's client does (and more)",
      peer: {
        file: 'chapter06/test_tls.py',
        args: ['-s', path.join(CH06, 'localhost.pem'), '127.0.0.1', '{port}'],
        ready: /Interface where we are listening/,
      },
      args: ['-a', path.join(CH06, 'ca.crt'), 'localhost', '{port}'],
      same: false,
      ignore: SSL_WARNINGS,
      expect:
        /Peer certificate\.+ provided\nName\(s\) on peer certificate\.+ localhost\nWhether name\(s\) match the hostname\.\. Yes\n[\s\S]*Protocol version negotiated\.+ TLSv1\.3\nCipher chosen for this connection\.+ TLS_AES_256_GCM_SHA384/,
    },
    {
      kind: 'server',
      title: "the book's client prints the same against our -s server",
      args: ['-s', path.join(CH06, 'localhost.pem'), '127.0.0.1', '{port}'],
      ready: /Interface where we are listening|[Ll]istening/,
      client: {
        file: 'chapter06/test_tls.py',
        args: ['-a', path.join(CH06, 'ca.crt'), 'localhost', '{port}'],
      },
      ignore: SSL_WARNINGS,
      expect: /Whether name\(s\) match the hostname\.\. Yes/,
    },
  ],
  'chapter07/client.py': [
    {
      kind: 'client',
      title: "ours asks the book's srv_asyncio1.py what the book's client asks, and prints the same",
      peer: { file: 'chapter07/srv_asyncio1.py', args: ['127.0.0.1', ...P] },
      args: ['127.0.0.1', ...P],
      unordered: true,
      rewrite: [ZEN_TEXT],
      expect: ZEN_ANSWERS,
    },
    {
      kind: 'client',
      title: "ours prints its answers from the book's srv_asyncio2.py, which never closes the connection",
      peer: { file: 'chapter07/srv_asyncio2.py', args: ['127.0.0.1', ...P] },
      args: ['127.0.0.1', ...P],
      unordered: true,
      rewrite: [ZEN_TEXT],
      patches: { 'chapter07/srv_asyncio2.py': ASYNCIO2_ON_311 },
      expect: ZEN_ANSWERS,
    },
  ],
  'chapter07/srv_asyncio1.py': [
    zenServerCheck("the book's client.py gets the same answers from ours", ['127.0.0.1', ...P]),
  ],
  'chapter07/srv_asyncio2.py': [
    zenServerCheck("the book's client.py gets the same answers from ours", ['127.0.0.1', ...P]),
  ],
  'chapter07/srv_single.py': [
    zenServerCheck("the book's client.py gets the same answers from ours", ['127.0.0.1', ...P]),
  ],
  'chapter07/srv_threaded.py': [
    zenServerCheck("the book's client.py gets the same answers from ours (--mode threads)", [
      '127.0.0.1',
      ...P,
    ]),
  ],
  'chapter11/app_insecure.py': [
    {
      kind: 'server',
      title: "the book's mscrape.py logs in to ours and prints the same payments and total (BeautifulSoup)",
      ...INSECURE_BANK,
      client: { file: 'chapter11/mscrape.py', args: ['http://127.0.0.1:{port}/'] },
    },
    {
      kind: 'server',
      title: "the book's mscrape.py -l prints the same from ours (lxml)",
      ...INSECURE_BANK,
      client: { file: 'chapter11/mscrape.py', args: ['-l', 'http://127.0.0.1:{port}/'] },
    },
  ],
  'chapter18/xmlrpc_server.py': [
    {
      kind: 'server',
      title: "the book's xmlrpc_client.py prints the same against our server",
      args: [],
      oursArgs: P,
      ready: /Server ready|[Ll]istening/,
      client: { file: 'chapter18/xmlrpc_client.py', args: [] },
      fixedPort: '7001',
      expect: /<Fault 1: "<class 'ValueError'>:math domain error">/,
    },
    {
      kind: 'server',
      title: "the book's xmlrpc_multicall.py prints the same against our server",
      args: [],
      oursArgs: P,
      ready: /Server ready|[Ll]istening/,
      client: { file: 'chapter18/xmlrpc_multicall.py', args: [] },
      fixedPort: '7001',
      expect: /\[1, 2\.0, 'three'\]/,
    },
    {
      kind: 'server',
      title: "the book's xmlrpc_introspect.py lists the same methods on our server",
      args: [],
      oursArgs: P,
      ready: /Server ready|[Ll]istening/,
      client: { file: 'chapter18/xmlrpc_introspect.py', args: [] },
      fixedPort: '7001',
      expect: /quadratic\(/,
    },
  ],
  'chapter18/xmlrpc_client.py': [
    {
      kind: 'client',
      title: "ours prints what the book's prints against the book's server",
      peer: { file: 'chapter18/xmlrpc_server.py', args: [], ready: /Server ready/ },
      args: [],
      oursArgs: P,
      fixedPort: '7001',
      expect: /<Fault 1: "<class 'ValueError'>:math domain error">/,
    },
  ],
  'chapter18/xmlrpc_multicall.py': [
    {
      kind: 'client',
      title: "ours prints what the book's prints against the book's server",
      peer: { file: 'chapter18/xmlrpc_server.py', args: [], ready: /Server ready/ },
      args: [],
      oursArgs: P,
      fixedPort: '7001',
      expect: /\[1, 2\.0, 'three'\]/,
    },
  ],
  'chapter18/xmlrpc_introspect.py': [
    {
      kind: 'client',
      title: "ours lists what the book's lists from the book's server",
      peer: { file: 'chapter18/xmlrpc_server.py', args: [], ready: /Server ready/ },
      args: [],
      oursArgs: P,
      fixedPort: '7001',
      expect: /quadratic\(/,
    },
  ],
  'chapter18/jsonrpc_server.py': [
    {
      kind: 'server',
      title: "the book's jsonrpc_client.py gets the same answer from our server (JSON-RPC on /)",
      args: [],
      oursArgs: P,
      ready: /Starting server|Server ready/,
      client: { file: 'chapter18/jsonrpc_client.py', args: [] },
      fixedPort: '7002',
      python: DEBIAN_PYTHON,
      expect: LENGTHS,
    },
  ],
  'chapter18/jsonrpc_client.py': [
    {
      kind: 'client',
      title: "ours prints what the book's prints against the book's jsonrpc_server.py",
      peer: { file: 'chapter18/jsonrpc_server.py', args: [], ready: /Starting server/ },
      args: [],
      oursArgs: ['localhost', ...P],
      fixedPort: '7002',
      python: DEBIAN_PYTHON,
      expect: LENGTHS,
    },
  ],
};

/** Rows with a command that this suite does not run beside the book's program, and why. */
export const UNCHECKED: Readonly<Record<string, string>> = {
  'chapter04/dns_basic.py': "run beside the book's in test/dns.test.ts, against dnsmasq started on loopback",
  'chapter04/dns_mx.py': "run beside the book's in test/dns.test.ts, against dnsmasq started on loopback",
  'chapter06/safe_tls.py':
    "the same tls-inspector inspect as test_tls.py's row, which runs against the book's server and client here",
  'chapter07/in_zen1.py':
    "needs inetd to hand it the connected socket as descriptor 0: zen-asyncio's test/inetd.test.ts runs ours (nowait) under a real openbsd-inetd, answering our client and the book's client.py",
  'chapter07/in_zen2.py':
    "needs inetd to hand it the listening socket as descriptor 0: zen-asyncio's test/inetd.test.ts runs ours (wait) under a real openbsd-inetd, leaving after its linger and started again",
  'chapter08/hashing.py':
    "hashing.py reads /usr/share/dict/words and prints its own tables: services/redis-cache/test/book-hashing.test.ts runs it under /usr/bin/python3 and compares its alpha and md5 tables (and alpha_shard per word) with our distribution's",
  'chapter10/timeapp_raw.py':
    "a WSGI app, not a program: http-app's test/timeapp.test.ts runs the book's _test.py against /timeapp/raw/ and against timeapp_raw.py under wsgiref (same statuses and bodies)",
  'chapter10/timeapp_webob.py':
    "a WSGI app, not a program: http-app's test/timeapp.test.ts runs the book's _test.py against /timeapp/webob/ and against timeapp_webob.py under wsgiref (same statuses and bodies; the Content-Type differs on purpose)",
  'chapter10/timeapp_werkz.py':
    "a WSGI app, not a program: http-app's test/timeapp.test.ts runs the book's _test.py against /timeapp/werkz/ and against timeapp_werkz.py under wsgiref (same statuses and bodies)",
  'chapter08/squares.py':
    'needs memcached and python3-memcache, neither installed here; Redis stands in for memcached',
  'chapter08/queuepi.py':
    "needs ZeroMQ (pyzmq), not installed; rabbit-pipeline's tests run the same roles over RabbitMQ",
  'chapter10/wsgi_env.py':
    "a WSGI app, not a program: http-app's /environ against it is the http-app part of issue 16",
  'chapter11/app_improved.py':
    'needs Flask and a browser session; the bank against it is the http-app part of issue 16',
  'chapter16/ssh_simple.py':
    "needs paramiko (not installed) and an SSH server; ssh-runner's tests run ours against a real sshd",
  'chapter16/ssh_commands.py':
    "needs paramiko (not installed) and an SSH server; ssh-runner's tests run ours against a real sshd",
  'chapter16/ssh_threads.py':
    "needs paramiko (not installed) and an SSH server; ssh-runner's tests run ours against a real sshd",
  'chapter16/sftp_get.py':
    "needs paramiko (not installed) and an SSH server; ssh-runner's tests run ours against a real sshd",
};
