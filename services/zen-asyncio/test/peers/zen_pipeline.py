#!/usr/bin/env python3
"""Pipelines questions to a Zen server: sends every question given (each ending in '?') in one
sendall, reads until as many answers (each ending in '.') have come back, and prints each
question beside its answer as Python bytes reprs, one pair a line. Stdlib only.
    zen_pipeline.py HOST PORT QUESTION..."""
import socket
import sys

host, port, questions = sys.argv[1], int(sys.argv[2]), [q.encode() for q in sys.argv[3:]]
sock = socket.create_connection((host, port), timeout=10)
sock.sendall(b''.join(questions))
received = b''
while received.count(b'.') < len(questions):
    data = sock.recv(4096)
    if not data:
        raise IOError('received {!r} then socket closed'.format(received))
    received += data
sock.close()
for question, answer in zip(questions, received.split(b'.')):
    print(question, answer + b'.')
