#!/usr/bin/env python3
"""The book's ch. 7 client.py (stdlib only): three random questions, or -e to send half a
question and hang up. --all pipelines every known question in one sendall instead."""

import argparse
import random
import socket

aphorisms = [
    b'Beautiful is better than?', b'Explicit is better than?', b'Simple is better than?',
    b'Complex is better than?', b'Flat is better than?', b'Sparse is better than?',
    b'Practicality beats?', b'Now is better than?', b'Although never is often better than?',
]


def recv_until(sock, suffix):
    message = sock.recv(4096)
    if not message:
        raise EOFError('socket closed')
    while not message.endswith(suffix):
        data = sock.recv(4096)
        if not data:
            raise IOError('received {!r} then socket closed'.format(message))
        message += data
    return message


def client(address, cause_error=False, pipeline_all=False):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(address)
    if cause_error:
        sock.sendall(aphorisms[0][:-1])
        return
    if pipeline_all:
        sock.sendall(b''.join(aphorisms))
        received = b''
        while received.count(b'.') < len(aphorisms):
            data = sock.recv(4096)
            if not data:
                raise IOError('received {!r} then socket closed'.format(received))
            received += data
        for aphorism, answer in zip(aphorisms, received.split(b'.')):
            print(aphorism, answer + b'.')
        sock.close()
        return
    for aphorism in random.sample(aphorisms[:3], 3):
        sock.sendall(aphorism)
        print(aphorism, recv_until(sock, b'.'))
    sock.close()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Example client')
    parser.add_argument('host', help='IP or hostname')
    parser.add_argument('-e', action='store_true', help='cause an error')
    parser.add_argument('--all', action='store_true', help='pipeline every question in one write')
    parser.add_argument('-p', metavar='port', type=int, default=1060, help='TCP port (default 1060)')
    args = parser.parse_args()
    client((args.host, args.p), args.e, args.all)
