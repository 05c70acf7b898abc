#!/usr/bin/env python3
# Opens N tcp_sixteen connections and keeps them all open, then greets them from the last
# to the first. A server that serves one connection at a time (the book's) never answers
# the last one while the first waits, so this only finishes against a concurrent server.
import socket, sys

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = [socket.create_connection((host, port), timeout=5) for _ in range(count)]
replies = []
for sock in reversed(socks):
    sock.sendall(b'Hi there, server')
    reply = b''
    while len(reply) < 16:
        more = sock.recv(16 - len(reply))
        if not more:
            break
        reply += more
    replies.append(reply)
    sock.close()
print(len([r for r in replies if r == b'Farewell, client']), 'farewells of', count, flush=True)
