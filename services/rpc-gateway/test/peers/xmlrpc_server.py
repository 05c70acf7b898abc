#!/usr/bin/env python3
# The book's xmlrpc_server.py (Foundations of Python Network Programming, 3rd ed.,
# chapter 18), unchanged in its functions; only the port, allow_none and threading are
# taken from the command line so the tests and the benchmark can run it on a free port
# (and, for the benchmark, a listen backlog: socketserver's default of 5 makes most of 32
# callers wait on SYN retries, which measures the backlog, not the server).
#
#   python3 xmlrpc_server.py PORT [--allow-none] [--threading] [--backlog N]

import math
import operator
import sys
from functools import reduce
from socketserver import ThreadingMixIn
from xmlrpc.server import SimpleXMLRPCServer


class ThreadingXMLRPCServer(ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True


def main():
    port = int(sys.argv[1])
    allow_none = '--allow-none' in sys.argv
    cls = ThreadingXMLRPCServer if '--threading' in sys.argv else SimpleXMLRPCServer
    if '--backlog' in sys.argv:
        cls = type(cls.__name__, (cls,), {'request_queue_size': int(sys.argv[sys.argv.index('--backlog') + 1])})
    server = cls(('127.0.0.1', port), logRequests=False, allow_none=allow_none)
    server.register_introspection_functions()
    server.register_multicall_functions()
    server.register_function(addtogether)
    server.register_function(quadratic)
    server.register_function(remote_repr)
    print("Server ready", flush=True)
    server.serve_forever()


def addtogether(*things):
    """Add together everything in the list `things`."""
    return reduce(operator.add, things)


def quadratic(a, b, c):
    """Determine `x` values satisfying: `a` * x*x + `b` * x + c == 0"""
    b24ac = math.sqrt(b*b - 4.0*a*c)
    return list(set([ (-b-b24ac) / 2.0*a,
                      (-b+b24ac) / 2.0*a ]))


def remote_repr(arg):
    """Return the `repr()` rendering of the supplied `arg`."""
    return arg


if __name__ == '__main__':
    main()
