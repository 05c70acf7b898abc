/**
 * The book's chapter 18 xmlrpc_server.py, read from ../shared/peers/fopnp-py3 (never copied
 * into the repository) and patched at run time in a temporary folder, for the tests and the
 * benchmark. The book's functions are unchanged; only its server line is: the book binds the
 * fixed port 7001, which a shared test machine cannot give it, so the port comes from the
 * command line, and with it allow_none (for the None tests), a ThreadingMixIn (for the
 * benchmark) and a listen backlog (socketserver's default of 5 makes most of 32 callers wait
 * on SYN retries, which measures the backlog, not the server); request logging is off.
 *
 *   python3 <file> PORT [--allow-none] [--threading] [--backlog N]
 */
import { patchedBookProgram } from '@fopnp/net/testing';

const PORT_FROM_ARGV = `    import sys, socketserver
    cls = SimpleXMLRPCServer
    if '--threading' in sys.argv:
        cls = type('ThreadingXMLRPCServer', (socketserver.ThreadingMixIn, cls), {'daemon_threads': True})
    if '--backlog' in sys.argv:
        cls = type(cls.__name__, (cls,), {'request_queue_size': int(sys.argv[sys.argv.index('--backlog') + 1])})
    server = cls(('127.0.0.1', int(sys.argv[1])), logRequests=False, allow_none='--allow-none' in sys.argv)`;

/** The path of the patched copy (see patchedBookProgram in @fopnp/net/testing). */
export function bookXmlrpcServer(): string {
  return patchedBookProgram('chapter18/xmlrpc_server.py', [
    ["    server = SimpleXMLRPCServer(('127.0.0.1', 7001))", PORT_FROM_ARGV],
  ]);
}
