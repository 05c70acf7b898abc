/**
 * The book index: one row for every program in the book's `py3/` folder
 * (github.com/brandon-rhodes/fopnp, kept unchanged at ../shared/peers/fopnp-py3), saying
 * which command of this project does the same, where our README explains it, and what
 * differs on purpose. test/index.test.ts checks that every .py file there has a row, that
 * every README page named exists, and runs each counterpart beside the book's program.
 */

/** How a row stands. */
export type RowStatus =
  /** Our `command` does what the book's program does. */
  | 'ours'
  /** Not rebuilt yet: `note` says what would, and who is on it. */
  | 'missing'
  /** A module other programs import, not a program: `note` names our module that does its job. */
  | 'library'
  /** Left out on purpose: `note` says why. */
  | 'not-rebuilt'
  /** A chapter this project does not cover (12–15 e-mail, 17 FTP). */
  | 'outside';

/** Our command: a service's bin, with the book's roles mapped onto its subcommands. */
export interface Counterpart {
  /** The workspace package folder: services/<service> (or tools/book for `fopnp-book`). */
  service: string;
  /** Arguments put before the user's (the subcommand), when the book's file has no roles. */
  prefix?: readonly string[];
  /**
   * The book's file takes a role first (`tcp_sixteen.py client HOST`): each role's own
   * subcommand and leading arguments here.
   */
  roles?: Readonly<Record<string, readonly string[]>>;
}

export interface BookRow {
  chapter: number;
  /** Path under the book's py3/ folder, e.g. chapter07/client.py. */
  file: string;
  status: RowStatus;
  command?: Counterpart;
  /** The book's arguments used by `fopnp-book run FILE` with none given, and shown in the list. */
  example?: readonly string[];
  /** Our README page (a path from the repository root, with its #anchor). */
  readme?: string;
  /** What our command prints or does differently, on purpose. */
  differences?: string;
  /** For rows without a command: why, or what stands in for it. */
  note?: string;
}

const OUTSIDE_EMAIL =
  'e-mail (chapters 12–15) is not part of this project: it covers chapters 1–11, 16 and 18';
const OUTSIDE_FTP = 'FTP (chapter 17) is not part of this project: it covers chapters 1–11, 16 and 18';

function outside(chapter: number, files: readonly string[]): BookRow[] {
  return files.map((file) => ({
    chapter,
    file,
    status: 'outside',
    note: chapter === 17 ? OUTSIDE_FTP : OUTSIDE_EMAIL,
  }));
}

const FAREWELL = 'services/tcp-farewell/README.md';
const UDP = 'services/udp-broadcaster/README.md';
const TLS = 'services/tls-inspector/README.md';
const ZEN = 'services/zen-asyncio/README.md';
const RPC = 'services/rpc-gateway/README.md';
const SSH = 'services/ssh-runner/README.md';
const HTTP = 'services/http-app/README.md';
const BOOK = 'tools/book/README.md';

export const BOOK_ROWS: readonly BookRow[] = [
  // Chapter 1: client-server networking
  ...['search1.py', 'search2.py', 'search3.py', 'search4.py'].map(
    (f): BookRow => ({
      chapter: 1,
      file: `chapter01/${f}`,
      status: 'missing',
      note: 'the same request through a library, http.client and a raw socket, side by side with the bytes on the wire: not built yet (search1/2 call a Google API that needs a key today)',
    }),
  ),
  {
    chapter: 1,
    file: 'chapter01/getname.py',
    status: 'ours',
    command: { service: 'book', prefix: ['getname'] },
    example: ['localhost'],
    readme: `${BOOK}#the-books-small-programs`,
    differences:
      "takes the host name as an argument (the book's is fixed to maps.google.com, still the default)",
  },
  {
    chapter: 1,
    file: 'chapter01/stringcodes.py',
    status: 'ours',
    command: { service: 'book', prefix: ['stringcodes'] },
    example: [],
    readme: `${BOOK}#the-books-small-programs`,
  },
  // Chapter 2: UDP
  {
    chapter: 2,
    file: 'chapter02/udp_local.py',
    status: 'ours',
    command: {
      service: 'udp-broadcaster',
      roles: { server: ['server', '127.0.0.1'], client: ['request', '127.0.0.1'] },
    },
    example: ['client'],
    readme: `${UDP}#usage`,
    differences:
      'client: sends "This is another message" (udp_remote.py\'s text) instead of the time, prints "Client socket name is …" and resends with a doubling wait (udp_remote.py\'s client) instead of waiting forever',
  },
  {
    chapter: 2,
    file: 'chapter02/udp_remote.py',
    status: 'ours',
    command: { service: 'udp-broadcaster', roles: { server: ['server'], client: ['request'] } },
    example: ['client', '127.0.0.1'],
    readme: `${UDP}#usage`,
    differences:
      'server: answers every request (the book drops half of them at random: --drop 0.5 does); client: the wait is capped by --max-wait-ms and --attempts instead of 2 seconds, and a give-up is one line on stderr',
  },
  {
    chapter: 2,
    file: 'chapter02/udp_broadcast.py',
    status: 'ours',
    command: { service: 'udp-broadcaster', roles: { server: ['server'], client: ['client'] } },
    example: ['client', '127.255.255.255'],
    readme: `${UDP}#usage`,
    differences:
      "the server also answers each datagram with its length (udp_remote.py's server); the client prints a line saying what it sent",
  },
  {
    chapter: 2,
    file: 'chapter02/big_sender.py',
    status: 'ours',
    command: { service: 'udp-broadcaster', prefix: ['big'] },
    example: ['127.0.0.1'],
    readme: `${UDP}#usage`,
    differences:
      "sends --size bytes (default 65000) instead of 999,999 (--size 999999 prints the book's two lines); says where the path MTU comes from and how many IP packets the datagram took, since Node cannot forbid fragmentation",
  },
  // Chapter 3: TCP
  {
    chapter: 3,
    file: 'chapter03/tcp_sixteen.py',
    status: 'ours',
    command: { service: 'tcp-farewell', roles: { server: ['server'], client: ['client'] } },
    example: ['client', '127.0.0.1'],
    readme: `${FAREWELL}#usage`,
  },
  {
    chapter: 3,
    file: 'chapter03/tcp_deadlock.py',
    status: 'ours',
    command: { service: 'tcp-farewell', roles: { server: ['deadlock-server'], client: ['deadlock-client'] } },
    example: ['client', '127.0.0.1', '32'],
    readme: `${FAREWELL}#the-deadlock-and-its-fix`,
    differences:
      'the client says how much each write carried ("(65536 per write)") and the server reads up to 64 KiB at a time, not 1024 bytes; progress goes on its own lines when stdout is not a terminal',
  },
  // Chapter 4: names and addresses
  {
    chapter: 4,
    file: 'chapter04/www_ping.py',
    status: 'ours',
    command: { service: 'book', prefix: ['www-ping'] },
    example: ['localhost'],
    readme: `${BOOK}#the-books-small-programs`,
    differences:
      "Node's dns.lookup() takes AI_ADDRCONFIG and AI_V4MAPPED as hints but has no AI_CANONNAME: the name printed is the one given, not the canonical one; -p PORT (the book's is always 80)",
  },
  {
    chapter: 4,
    file: 'chapter04/dns_basic.py',
    status: 'ours',
    command: { service: 'book', prefix: ['dns-basic'] },
    example: ['python.org'],
    readme: `${BOOK}#the-books-small-programs`,
    differences:
      "node:dns instead of dnspython; --server HOST:PORT asks that server; Node's resolver gives TTLs for A and AAAA only (0 printed for the others)",
  },
  {
    chapter: 4,
    file: 'chapter04/dns_mx.py',
    status: 'ours',
    command: { service: 'book', prefix: ['dns-mx'] },
    example: ['python.org'],
    readme: `${BOOK}#the-books-small-programs`,
    differences:
      "node:dns instead of dnspython; --server HOST:PORT; a CNAME is followed by its target (the book's reads record.address, which a CNAME record does not have)",
  },
  // Chapter 5: network data and errors
  {
    chapter: 5,
    file: 'chapter05/blocks.py',
    status: 'ours',
    command: { service: 'book', prefix: ['blocks'] },
    example: ['-c'],
    readme: `${BOOK}#the-books-small-programs`,
    differences:
      "libs/net's StreamReader.blocks() and writeBlocks(); the client cannot shutdown(SHUT_RD) (Node has no such call)",
  },
  {
    chapter: 5,
    file: 'chapter05/streamer.py',
    status: 'ours',
    command: { service: 'book', prefix: ['streamer'] },
    example: ['-c'],
    readme: `${BOOK}#the-books-small-programs`,
    differences:
      'the server reads what has arrived (readSome), so the "Received N bytes" lines may split differently; the client cannot shutdown(SHUT_RD)',
  },
  // Chapter 6: TLS
  {
    chapter: 6,
    file: 'chapter06/test_tls.py',
    status: 'ours',
    command: { service: 'tls-inspector', prefix: ['inspect'] },
    example: ['example.com', '443'],
    readme: `${TLS}#usage`,
    differences:
      "-C defaults to Node's cipher list, not ALL, and the report says so in its 'Ciphers offered' line (-C ALL offers the book's); -p is the minimum protocol (TLSv1.2 by default), not the book's SSLv23; the report adds the chain, ALPN, OCSP and expiry",
  },
  {
    chapter: 6,
    file: 'chapter06/safe_tls.py',
    status: 'ours',
    command: { service: 'tls-inspector', prefix: ['inspect'] },
    example: ['example.com', '443'],
    readme: `${TLS}#server-mode--s`,
    differences:
      'one program for both: inspect HOST PORT is the client, -s CERT the server; both verify as safe_tls.py does',
  },
  {
    chapter: 6,
    file: 'chapter06/features.py',
    status: 'missing',
    note: "a listing of the TLS library's features (OpenSSL version, protocols, ciphers): not built yet",
  },
  // Chapter 7: server architecture
  {
    chapter: 7,
    file: 'chapter07/client.py',
    status: 'ours',
    command: { service: 'zen-asyncio', prefix: ['client'] },
    example: ['127.0.0.1'],
    readme: `${ZEN}#usage`,
    differences:
      "prints each question and answer as text (Simple is better than? Complex.), where the book prints Python's bytes reprs (b'Simple is better than?' b'Complex.')",
  },
  {
    chapter: 7,
    file: 'chapter07/zen_utils.py',
    status: 'library',
    note: 'the protocol (aphorisms, recv_until) is services/zen-asyncio/src/protocol.ts',
    readme: `${ZEN}#the-protocol`,
  },
  {
    chapter: 7,
    file: 'chapter07/srv_asyncio1.py',
    status: 'ours',
    command: { service: 'zen-asyncio', prefix: ['server'] },
    example: ['127.0.0.1'],
    readme: `${ZEN}#usage`,
    differences:
      "one event loop answering in the socket's data callback, as srv_asyncio1.py's data_received does, but splitting at every ? (questions pipelined in one write each get their answer); logs are JSON lines",
  },
  {
    chapter: 7,
    file: 'chapter07/srv_asyncio2.py',
    status: 'ours',
    command: { service: 'zen-asyncio', prefix: ['server'] },
    example: ['127.0.0.1'],
    readme: `${ZEN}#usage`,
    differences:
      "logs are JSON lines instead of the book's prints; idle clients are closed after --idle-timeout-ms",
  },
  {
    chapter: 7,
    file: 'chapter07/srv_single.py',
    status: 'ours',
    command: { service: 'zen-asyncio', prefix: ['server', '--mode', 'single'] },
    example: ['127.0.0.1'],
    readme: `${ZEN}#usage`,
    differences: 'one conversation at a time, like the book; the next clients wait in the listen backlog',
  },
  {
    chapter: 7,
    file: 'chapter07/srv_threaded.py',
    status: 'ours',
    command: { service: 'zen-asyncio', prefix: ['server', '--mode', 'threads'] },
    example: ['127.0.0.1'],
    readme: `${ZEN}#what-the-books-version-could-not-do`,
    differences:
      "Node's worker threads cannot share one listening socket as the book's threads share accept(): each thread runs the event-loop server on the same port with SO_REUSEPORT and the kernel spreads the connections; --workers threads (default one per core, the book's 4)",
  },
  {
    chapter: 7,
    file: 'chapter07/in_zen1.py',
    status: 'ours',
    command: { service: 'zen-asyncio', prefix: ['inetd'] },
    example: [],
    readme: `${ZEN}#inetd-mode-in_zen1py-in_zen2py`,
    differences:
      "the log goes to --log-file (JSON lines) or nowhere, where the book's appends prints to /tmp/zen.log; the server's limits (question size and time, idle timeout) apply",
  },
  {
    chapter: 7,
    file: 'chapter07/in_zen2.py',
    status: 'ours',
    command: { service: 'zen-asyncio', prefix: ['inetd', '--wait'] },
    example: [],
    readme: `${ZEN}#inetd-mode-in_zen1py-in_zen2py`,
    differences:
      "leaves after --linger-ms (default 8000, the book's 8 s) without a connection; the log goes to --log-file or nowhere (the book's: /tmp/zen.log); the book's serves one client at a time, ours all at once on the event loop",
  },
  ...['srv_legacy1.py', 'srv_legacy2.py', 'srv_async.py'].map(
    (f): BookRow => ({
      chapter: 7,
      file: `chapter07/${f}`,
      status: 'missing',
      note: "the socketserver and select/poll designs the book compares: no zen-asyncio mode of their own (Node's event loop is that poll loop); zen-asyncio's client is run against them in its test/book-interop.test.ts",
    }),
  ),
  // Chapter 8: caches and message queues
  {
    chapter: 8,
    file: 'chapter08/hashing.py',
    status: 'ours',
    command: { service: 'redis-cache', prefix: ['shard-report'] },
    example: [],
    readme: 'services/redis-cache/README.md#the-explorer',
    differences:
      'prints the keys per server as a table for each strategy, and the keys moved when a shard is added',
  },
  {
    chapter: 8,
    file: 'chapter08/squares.py',
    status: 'ours',
    command: { service: 'redis-cache', prefix: ['demo'] },
    example: [],
    readme: 'services/redis-cache/README.md#the-library',
    differences:
      'Redis instead of memcached; one key loaded twice (miss, then hit) instead of timeit over random squares',
  },
  {
    chapter: 8,
    file: 'chapter08/queuepi.py',
    status: 'ours',
    command: { service: 'rabbit-pipeline', prefix: ['all'] },
    example: [],
    readme: 'services/rabbit-pipeline/README.md#usage',
    differences:
      'RabbitMQ instead of ZeroMQ: the same five roles as queues and exchanges, with confirms, acks and a dead-letter queue',
  },
  {
    chapter: 8,
    file: 'chapter08/queuecrazy.py',
    status: 'library',
    note: 'not a program: a note saying the script is queuepi.py (see that row)',
  },
  // Chapter 9: HTTP clients
  {
    chapter: 9,
    file: 'chapter09/config.py',
    status: 'library',
    note: "a Gunicorn configuration that prints each request and response: http-app get shows the same wire from the client's side",
    readme: `${HTTP}#a--v-transcript-real-output`,
  },
  // Chapter 10: HTTP servers
  {
    chapter: 10,
    file: 'chapter10/wsgi_env.py',
    status: 'ours',
    command: { service: 'http-app', prefix: ['serve'] },
    example: [],
    readme: `${HTTP}#usage`,
    differences:
      'GET /environ of the running service answers with the environment, as wsgi_env.py does on every path',
  },
  {
    chapter: 10,
    file: 'chapter10/timeapp_raw.py',
    status: 'ours',
    command: { service: 'http-app', prefix: ['serve'] },
    example: [],
    readme: `${HTTP}#chapter-10s-timeapp-three-ways`,
    differences:
      "the app is GET /timeapp/raw/ of the running service (the path below the mount is the app's, as WSGI's PATH_INFO), written on Node's IncomingMessage/ServerResponse instead of a bare WSGI callable",
  },
  {
    chapter: 10,
    file: 'chapter10/timeapp_webob.py',
    status: 'ours',
    command: { service: 'http-app', prefix: ['serve'] },
    example: [],
    readme: `${HTTP}#chapter-10s-timeapp-three-ways`,
    differences:
      "GET /timeapp/webob/ of the running service, with the Fetch standard's Request/Response as WebOb's: answers are text/plain;charset=UTF-8 where WebOb's default is text/html; TRACE gets 405 (the Fetch standard forbids it in a Request)",
  },
  {
    chapter: 10,
    file: 'chapter10/timeapp_werkz.py',
    status: 'ours',
    command: { service: 'http-app', prefix: ['serve'] },
    example: [],
    readme: `${HTTP}#chapter-10s-timeapp-three-ways`,
    differences:
      "GET /timeapp/werkz/ of the running service, a fastify handler as Werkzeug's Request.application",
  },
  {
    chapter: 10,
    file: 'chapter10/_test.py',
    status: 'library',
    note: "the book's check of the time apps (requests against a running server), not a chapter program",
  },
  // Chapter 11: the World Wide Web
  {
    chapter: 11,
    file: 'chapter11/app_improved.py',
    status: 'ours',
    command: { service: 'http-app', prefix: ['serve'] },
    example: [],
    readme: `${HTTP}#what-the-books-version-could-not-do`,
    differences: 'fastify instead of Flask; the bank is at /bank on the same port as the echo routes',
  },
  {
    chapter: 11,
    file: 'chapter11/app_insecure.py',
    status: 'ours',
    command: { service: 'http-app', prefix: ['insecure-bank'] },
    example: [],
    readme: `${HTTP}#the-insecure-bank-and-the-books-attacks`,
    differences:
      "flaw for flaw, but binds loopback addresses only (--host 0.0.0.0 is refused), warns on stderr, keeps the bank in memory (the book's bank.db payments, and brandon's $25 lunch with sam: the account page's total is 350, the book's 325), takes -p PORT (Flask's 5000 by default) and never runs inside serve. It reads the payment form's memo field, as app_insecure.py does: the book's own csrf.html sends 'message', so against the book's bank and ours alike it only gets 'Please fill in all three fields' (http-app's browser test renames the field to memo to show the attack pay)",
  },
  {
    chapter: 11,
    file: 'chapter11/bank.py',
    status: 'library',
    note: "the bank's data layer: services/http-app's bank store",
  },
  {
    chapter: 11,
    file: 'chapter11/mscrape.py',
    status: 'missing',
    note: "no scraper of ours yet; our banks' account pages have the book's markup (<li class=\"to\">…<i>memo</i>), so the book's mscrape.py reads them: against insecure-bank here (test/checks.ts) and against the secured /bank after a login with the CSRF token in http-app's test/book-bank.test.ts",
  },
  ...['rscrape1.py', 'rscrape2.py'].map(
    (f): BookRow => ({
      chapter: 11,
      file: `chapter11/${f}`,
      status: 'missing',
      note: 'recursive scraping (requests + lxml, Selenium): not built yet',
    }),
  ),
  ...[
    'manage.py',
    'djbank/__init__.py',
    'djbank/admin.py',
    'djbank/models.py',
    'djbank/settings.py',
    'djbank/urls.py',
    'djbank/views.py',
    'djbank/wsgi.py',
  ].map(
    (f): BookRow => ({
      chapter: 11,
      file: `chapter11/${f}`,
      status: 'not-rebuilt',
      note: 'the Django version of the same bank: http-app has the bank once (app_improved.py)',
    }),
  ),
  // Chapters 12–15: e-mail
  ...outside(12, [
    'chapter12/build_basic_email.py',
    'chapter12/build_mime_email.py',
    'chapter12/build_unicode_email.py',
    'chapter12/display_email.py',
    'chapter12/display_structure.py',
    'chapter12/pre-python-3.4/mime_decode.py',
    'chapter12/pre-python-3.4/mime_gen_alt.py',
    'chapter12/pre-python-3.4/mime_gen_basic.py',
    'chapter12/pre-python-3.4/mime_gen_both.py',
    'chapter12/pre-python-3.4/mime_headers.py',
    'chapter12/pre-python-3.4/mime_parse_headers.py',
    'chapter12/pre-python-3.4/mime_structure.py',
    'chapter12/pre-python-3.4/trad_gen_newhdrs.py',
    'chapter12/pre-python-3.4/trad_gen_simple.py',
    'chapter12/pre-python-3.4/trad_parse.py',
  ]),
  ...outside(13, [
    'chapter13/debug.py',
    'chapter13/ehlo.py',
    'chapter13/login.py',
    'chapter13/simple.py',
    'chapter13/tls.py',
  ]),
  ...outside(14, [
    'chapter14/apopconn.py',
    'chapter14/download-and-delete.py',
    'chapter14/mailbox.py',
    'chapter14/popconn.py',
  ]),
  ...outside(15, [
    'chapter15/folder_info.py',
    'chapter15/folder_summary.py',
    'chapter15/open_imap.py',
    'chapter15/open_imaplib.py',
    'chapter15/simple_client.py',
  ]),
  // Chapter 16: Telnet and SSH
  {
    chapter: 16,
    file: 'chapter16/ssh_simple.py',
    status: 'ours',
    command: { service: 'ssh-runner', prefix: ['shell'] },
    example: ['127.0.0.1'],
    readme: `${SSH}#usage`,
    differences:
      'host keys are checked against known_hosts (the book auto-adds them); a pty when stdin is a terminal',
  },
  {
    chapter: 16,
    file: 'chapter16/ssh_commands.py',
    status: 'ours',
    command: { service: 'ssh-runner', prefix: ['exec'] },
    example: ['127.0.0.1', 'echo Hello, world!'],
    readme: `${SSH}#usage`,
    differences: "runs the commands given instead of the book's fixed three; host keys checked",
  },
  {
    chapter: 16,
    file: 'chapter16/ssh_threads.py',
    status: 'ours',
    command: { service: 'ssh-runner', prefix: ['exec'] },
    example: ['127.0.0.1', 'echo Hello, world!'],
    readme: `${SSH}#usage`,
    differences: 'many hosts at once (--hosts) instead of threads over one connection',
  },
  {
    chapter: 16,
    file: 'chapter16/sftp_get.py',
    status: 'ours',
    command: { service: 'ssh-runner', prefix: ['get'] },
    example: ['127.0.0.1', '/etc/hostname'],
    readme: `${SSH}#usage`,
    differences: 'one file a call, with progress and a SHA-256 check',
  },
  {
    chapter: 16,
    file: 'chapter16/shell.py',
    status: 'ours',
    command: { service: 'book', prefix: ['shell'] },
    example: [],
    readme: `${BOOK}#the-books-small-programs`,
    differences: "end of input leaves quietly (the book's input() raises EOFError)",
  },
  {
    chapter: 16,
    file: 'chapter16/telnet_login.py',
    status: 'missing',
    note: 'telnet login against a real telnetd: not built yet',
  },
  {
    chapter: 16,
    file: 'chapter16/telnet_codes.py',
    status: 'missing',
    note: 'telnet option negotiation: not built yet',
  },
  ...outside(17, [
    'chapter17/advbinarydl.py',
    'chapter17/advbinaryul.py',
    'chapter17/asciidl.py',
    'chapter17/binarydl.py',
    'chapter17/binaryul.py',
    'chapter17/connect.py',
    'chapter17/dir.py',
    'chapter17/nlst.py',
    'chapter17/recursedl.py',
  ]),
  // Chapter 18: RPC
  {
    chapter: 18,
    file: 'chapter18/xmlrpc_server.py',
    status: 'ours',
    command: { service: 'rpc-gateway', prefix: ['server'] },
    example: [],
    readme: `${RPC}#xml-rpc-exactly-what-python-does`,
    differences: "takes -p PORT (the book's is fixed to 7001)",
  },
  {
    chapter: 18,
    file: 'chapter18/xmlrpc_client.py',
    status: 'ours',
    command: { service: 'rpc-gateway', prefix: ['client'] },
    example: [],
    readme: `${RPC}#the-books-scripts-and-the-gateway-as-run-here`,
    differences:
      "takes -p PORT (the book's is fixed to 7001); the last call's fault is printed as its one line, where Python prints a traceback",
  },
  {
    chapter: 18,
    file: 'chapter18/xmlrpc_multicall.py',
    status: 'ours',
    command: { service: 'rpc-gateway', prefix: ['multicall'] },
    example: [],
    readme: `${RPC}#the-books-scripts-and-the-gateway-as-run-here`,

    differences: "takes -p PORT (the book's is fixed to 7001)",
  },
  {
    chapter: 18,
    file: 'chapter18/xmlrpc_introspect.py',
    status: 'ours',
    command: { service: 'rpc-gateway', prefix: ['introspect'] },
    example: [],
    readme: `${RPC}#the-introspection-listing`,
    differences: "takes -p PORT (the book's is fixed to 7001)",
  },
  {
    chapter: 18,
    file: 'chapter18/jsonrpc_server.py',
    status: 'ours',
    command: { service: 'rpc-gateway', prefix: ['server'] },
    example: [],
    readme: `${RPC}#json-rpc-20`,
    differences:
      "takes -p PORT (the book's is fixed to localhost:7002); JSON-RPC 2.0 on / (by Content-Type) and /jsonrpc, beside XML-RPC",
  },
  {
    chapter: 18,
    file: 'chapter18/jsonrpc_client.py',
    status: 'ours',
    command: { service: 'rpc-gateway', prefix: ['jsonrpc-client'] },
    example: [],
    readme: `${RPC}#the-books-scripts-and-the-gateway-as-run-here`,
    differences: "takes HOST, -p PORT and --path (the book's is fixed to http://localhost:7002/)",
  },
  ...['rpyc_server.py', 'rpyc_client.py'].map(
    (f): BookRow => ({
      chapter: 18,
      file: `chapter18/${f}`,
      status: 'not-rebuilt',
      note: 'RPyC (like Pyro) passes live Python objects by reference: a Python-only object protocol, with no language-neutral wire to rebuild',
      readme: `${RPC}#what-is-not-here`,
    }),
  ),
  // The book repository's own tooling
  {
    chapter: 0,
    file: 'tools/monkeys/_bootlocale.py',
    status: 'library',
    note: "the book repository's test tooling (a locale patch for its doctest runs), not a chapter program",
  },
];
