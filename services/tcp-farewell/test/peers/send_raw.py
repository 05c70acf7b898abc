#!/usr/bin/env python3
# A misbehaving tcp_sixteen client: sends the bytes given in hex (then, if a count is
# given, that many more b'x' bytes), shuts down its sending half, then prints repr() of
# everything the server sent back before closing (or the error that ended the read).
import socket, sys

host, port = sys.argv[1], int(sys.argv[2])
extra = int(sys.argv[4]) if len(sys.argv) > 4 else 0
payload = bytes.fromhex(sys.argv[3]) + b'x' * extra
sock = socket.create_connection((host, port))
sock.sendall(payload)
sock.shutdown(socket.SHUT_WR)
reply = b''
try:
    while True:
        more = sock.recv(65536)
        if not more:
            break
        reply += more
    print('reply', repr(reply), flush=True)
except OSError as exc:
    print('error', type(exc).__name__, 'after', repr(reply), flush=True)
sock.close()
