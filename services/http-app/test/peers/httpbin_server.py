"""The real httpbin (Debian's python3-httpbin, a Flask app) on a loopback port, for the
differential tests: binds port 0, prints "listening on PORT" once it accepts connections.

Run with Debian's interpreter (/usr/bin/python3), where apt installed the package."""
import sys

from httpbin import app
from werkzeug.serving import make_server

server = make_server('127.0.0.1', 0, app, threaded=True)
print(f'listening on {server.port}', flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
sys.exit(0)
