#!/usr/bin/env python3
# Serves a WSGI callable of one of the book's programs, unchanged, with the standard library's
# wsgiref on a free loopback port: the book's own scripts bind port 8000 (wsgi_env.py) or
# leave serving to gunicorn (timeapp_*.py), which a shared test machine cannot give them.
# Usage: serve_wsgi.py DIRECTORY MODULE [CALLABLE]; prints "port N" once listening.
import importlib
import sys
from wsgiref.simple_server import make_server

sys.path.insert(0, sys.argv[1])
app = getattr(importlib.import_module(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else 'app')
httpd = make_server('127.0.0.1', 0, app)
print('port', httpd.server_port, flush=True)
httpd.serve_forever()
