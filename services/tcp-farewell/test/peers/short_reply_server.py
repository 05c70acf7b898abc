#!/usr/bin/env python3
# A broken tcp_sixteen server: reads the 16-octet greeting, then sends only the first
# 8 octets of the farewell and closes, so the client sees EOF mid-reply.
import socket, sys

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(('127.0.0.1', int(sys.argv[1])))
sock.listen(1)
print('Listening at', sock.getsockname(), flush=True)
sc, _ = sock.accept()
data = b''
while len(data) < 16:
    more = sc.recv(16 - len(data))
    if not more:
        break
    data += more
sc.sendall(b'Farewell, client'[:8])
sc.close()
