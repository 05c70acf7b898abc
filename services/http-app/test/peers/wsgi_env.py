#!/usr/bin/env python3
# The book's wsgi_env.py (ch. 10): a WSGI app that prints its environ, served by the
# standard library's wsgiref. Port from argv (0 = any); prints the port it got.
import sys
from pprint import pformat
from wsgiref.simple_server import make_server


def app(environ, start_response):
    headers = {'Content-Type': 'text/plain; charset=utf-8'}
    start_response('200 OK', list(headers.items()))
    yield 'Here is the WSGI environment:\r\n\r\n'.encode('utf-8')
    yield pformat(environ).encode('utf-8')


if __name__ == '__main__':
    httpd = make_server('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 8000, app)
    host, port = httpd.socket.getsockname()
    print('Serving on', host, 'port', port, flush=True)
    httpd.serve_forever()
