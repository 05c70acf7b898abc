#!/usr/bin/env python3
# Sends one datagram (bytes given in hex) from a chosen local address, so tests can
# appear as different sources (any 127.x.y.z is local on Linux), then prints repr() of
# the reply, or "no reply" after a second.
import socket, sys

source, host, port, payload = sys.argv[1], sys.argv[2], int(sys.argv[3]), bytes.fromhex(sys.argv[4])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((source, 0))
sock.settimeout(1.0)
sock.sendto(payload, (host, port))
try:
    print('reply', repr(sock.recv(65535)))
except socket.timeout:
    print('no reply')
