#!/usr/bin/env python3
"""Reference server for the benchmark: the book's srv_asyncio2.py (ch. 7), stdlib only;
with --callbacks the book's srv_asyncio1.py instead (an asyncio.Protocol whose
data_received answers every complete question in the chunk and keeps the rest), and with
--uvloop either one on uvloop's event loop (Debian's python3-uvloop), the fastest way to
run the book's asyncio servers.

Same protocol as zen-asyncio: questions end in '?', answers in '.', unknown questions
get 'Error: unknown aphorism.'. Two changes from the book, both needed for a fair race:
it splits pipelined questions with StreamReader.readuntil (the book's loop would treat
'Q1?Q2?' arriving in one read as one unknown question), and it listens with a backlog of
4096 (asyncio's default of 100 drops SYNs when a thousand clients connect at once).
"""

import argparse
import asyncio

MAX_QUESTION = 4096

aphorisms = {
    b'Beautiful is better than?': b'Ugly.',
    b'Explicit is better than?': b'Implicit.',
    b'Simple is better than?': b'Complex.',
    b'Complex is better than?': b'Complicated.',
    b'Flat is better than?': b'Nested.',
    b'Sparse is better than?': b'Dense.',
    b'Practicality beats?': b'Purity.',
    b'Now is better than?': b'Never.',
    b'Although never is often better than?': b'Right now.',
}


UNKNOWN = b'Error: unknown aphorism.'


def get_answer(aphorism):
    return aphorisms.get(aphorism, UNKNOWN)


class ZenProtocol(asyncio.Protocol):
    """srv_asyncio1.py, splitting pipelined questions on '?' and keeping a partial one."""

    def connection_made(self, transport):
        self.transport = transport
        self.data = b''

    def data_received(self, data):
        if self.data:
            data = self.data + data
        if b'?' not in data:
            self.data = data
        else:
            parts = data.split(b'?')
            self.data = parts.pop()
            if len(parts) == 1:
                self.transport.write(aphorisms.get(parts[0] + b'?', UNKNOWN))
            else:
                self.transport.write(b''.join([aphorisms.get(p + b'?', UNKNOWN) for p in parts]))
        if len(self.data) > MAX_QUESTION:
            self.transport.write(b'Error: question too long.')
            self.transport.close()

    def eof_received(self):
        return False  # close our side too


async def handle_conversation(reader, writer):
    try:
        while True:
            try:
                question = await reader.readuntil(b'?')
            except asyncio.IncompleteReadError:
                return
            except asyncio.LimitOverrunError:
                writer.write(b'Error: question too long.')
                return
            writer.write(get_answer(question))
    except ConnectionError:
        return
    finally:
        writer.close()


async def main(host, port, callbacks):
    if callbacks:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(ZenProtocol, host, port, backlog=4096)
    else:
        server = await asyncio.start_server(
            handle_conversation, host, port, backlog=4096, limit=MAX_QUESTION + 1)
    sockname = server.sockets[0].getsockname()
    print('Listening at {}:{}'.format(sockname[0], sockname[1]), flush=True)
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='asyncio Zen server (srv_asyncio2.py)')
    parser.add_argument('host', help='IP or hostname')
    parser.add_argument('-p', metavar='port', type=int, default=1060, help='TCP port (default 1060)')
    parser.add_argument('--callbacks', action='store_true', help="srv_asyncio1.py's Protocol callbacks")
    parser.add_argument('--uvloop', action='store_true', help="run on uvloop's event loop")
    args = parser.parse_args()
    if args.uvloop:
        import uvloop
        uvloop.install()
    try:
        asyncio.run(main(args.host, args.p, args.callbacks))
    except KeyboardInterrupt:
        pass
