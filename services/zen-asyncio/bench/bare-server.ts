/**
 * A yardstick, not a server: the least Node can do per question — one 'data' handler
 * that splits the chunk on '?' and one write of the answers. No framing across chunks
 * (a question split over two reads is answered wrongly and counted as an error by the
 * generator), no limits, no timeouts, no metrics. The benchmark races it (`--servers
 * bare`) to show how much of the cost is Node and the kernel rather than our framing.
 */
import net from 'node:net';
import { APHORISMS, REPLIES } from '../src/protocol.js';

const answers = new Map(APHORISMS);
const server = net.createServer((socket) => {
  socket.on('error', () => {});
  socket.on('data', (chunk: Buffer) => {
    const questions = chunk.toString('latin1').split('?');
    questions.pop(); // what follows the last '?'
    socket.write(questions.map((q) => answers.get(`${q}?`) ?? REPLIES.unknown).join(''));
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`Listening at 127.0.0.1:${(server.address() as net.AddressInfo).port}`);
});
process.on('SIGTERM', () => process.exit(0));
