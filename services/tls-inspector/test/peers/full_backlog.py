#!/usr/bin/env python3
"""A listening socket whose accept queue is full and never drained: the kernel drops
further SYNs, so a client's connect() hangs until its own timeout. A local stand-in for a
host that never answers. Prints the port, then sleeps until killed (at most 120 s)."""

import socket
import time

server = socket.socket()
server.bind(('127.0.0.1', 0))
server.listen(0)  # room for one pending connection; never accept()
port = server.getsockname()[1]
fillers = []
for _ in range(4):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect(('127.0.0.1', port))
    except BlockingIOError:
        pass
    fillers.append(s)
print(port, flush=True)
time.sleep(120)
