/**
 * What serving one connection at a time costs. The book's tcp_sixteen.py server accepts a
 * client, serves it to the end, and only then accepts the next; `serve` serves every
 * connection at once. Both run the very same connection handler here (the one-at-a-time
 * server hands our handler one socket at a time). One slow client connects first and
 * takes PAUSE_MS to send its greeting, as a client on a bad link (or a hostile one) does;
 * then CLIENTS quick clients at a time ask for REQUESTS farewells. The figure is how many
 * farewells per second the quick clients get.
 *
 *   node dist/bench/concurrency.js [REQUESTS] [CLIENTS] [PAUSE_MS]
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, listen, StreamReader, writeAll } from '@fopnp/net';
import { FAREWELL, GREETING, MESSAGE_BYTES } from '../src/protocol.js';
import { closeServer, createFarewellServer } from '../src/server.js';

const [requests = 500, clients = 10, pauseMs = 1000] = process.argv.slice(2).map(Number);

/** The book's accept loop: the next connection is handed over only when the last closed. */
function oneAtATime(handler: net.Server): net.Server {
  const waiting: net.Socket[] = [];
  let busy = false;
  const next = () => {
    const socket = waiting.shift();
    busy = socket !== undefined;
    if (!socket) return;
    socket.once('close', next);
    handler.emit('connection', socket);
  };
  return net.createServer((socket) => {
    waiting.push(socket);
    if (!busy) next();
  });
}

async function farewell(port: number, pause = 0): Promise<void> {
  const socket = await connect('127.0.0.1', port);
  const reader = new StreamReader(socket);
  if (pause) await sleep(pause);
  await writeAll(socket, GREETING);
  const reply = await reader.readExactly(MESSAGE_BYTES, 'reply');
  socket.destroy();
  if (!reply.equals(FAREWELL)) throw new Error(`unexpected reply ${reply.toString('latin1')}`);
}

/** Farewells per second for the quick clients while the slow one is connected. */
async function measure(server: net.Server): Promise<number> {
  const port = await listen(server, 0, '127.0.0.1');
  const slow = farewell(port, pauseMs);
  await sleep(20); // let the slow client be accepted first
  const started = process.hrtime.bigint();
  let remaining = requests;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (remaining-- > 0) await farewell(port);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await slow;
  await closeServer(server);
  return requests / seconds;
}

const serial = await measure(oneAtATime(createFarewellServer()));
const concurrent = await measure(createFarewellServer());
const fmt = (n: number) => n.toFixed(0).padStart(6);
console.log(
  `tcp-farewell: ${requests} farewells, ${clients} quick clients at a time, one slow client taking ${pauseMs} ms`,
);
console.log(`  one at a time (the book's server) ${fmt(serial)} farewells/s`);
console.log(`  all at once (tcp-farewell serve)  ${fmt(concurrent)} farewells/s`);
console.log(`  ratio: ${(concurrent / serial).toFixed(1)}x`);
