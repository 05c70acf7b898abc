import net from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameTooLargeError, IncompleteReadError } from '../src/errors.js';
import { END_OF_BLOCKS, encodeLengthPrefixed, StreamReader, writeBlocks } from '../src/framing.js';

/** A stream fed by the test, so every split of the bytes can be exercised exactly. */
function feed(parts: (string | Buffer)[], end = true): PassThrough {
  const s = new PassThrough();
  (async () => {
    for (const p of parts) {
      s.write(typeof p === 'string' ? Buffer.from(p) : p);
      await new Promise((r) => setImmediate(r));
    }
    if (end) s.end();
  })();
  return s;
}

function bytewise(data: string | Buffer): Buffer[] {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  return [...b].map((x) => Buffer.from([x]));
}

describe("readExactly (the book's recvall)", () => {
  it('assembles a frame split byte by byte across reads', async () => {
    const r = new StreamReader(feed(bytewise('Hi there, server')));
    expect((await r.readExactly(16)).toString()).toBe('Hi there, server');
  });

  it('returns each frame of several coalesced in one read', async () => {
    const r = new StreamReader(feed(['abcdefghij']));
    expect((await r.readExactly(3)).toString()).toBe('abc');
    expect((await r.readExactly(3)).toString()).toBe('def');
    expect((await r.readExactly(4)).toString()).toBe('ghij');
  });

  it('says how many bytes were expected and how many arrived before EOF', async () => {
    const r = new StreamReader(feed(['Hi there']));
    const err = await r.readExactly(16).catch((e) => e);
    expect(err).toBeInstanceOf(IncompleteReadError);
    expect(err.expected).toBe(16);
    expect(err.received).toBe(8);
    expect(err.message).toBe('connection closed mid-frame: expected 16 bytes, received 8 before EOF');
  });
});

describe('readUntil (recv_until, linear)', () => {
  it('splits pipelined questions that arrive in one read', async () => {
    const r = new StreamReader(feed(['Beautiful is better than?Explicit is better than?Simple is']));
    expect((await r.readUntil('?'))!.toString()).toBe('Beautiful is better than?');
    expect((await r.readUntil('?'))!.toString()).toBe('Explicit is better than?');
    await expect(r.readUntil('?')).rejects.toThrow(IncompleteReadError);
  });

  it('finds a multi-byte delimiter that straddles reads, byte by byte', async () => {
    const r = new StreamReader(feed(bytewise('line one\r\nline two\r\n')));
    expect((await r.readUntil('\r\n', { includeDelimiter: false }))!.toString()).toBe('line one');
    expect((await r.readUntil('\r\n', { includeDelimiter: false }))!.toString()).toBe('line two');
    expect(await r.readUntil('\r\n')).toBeNull();
  });

  it('finds a delimiter split between two chunks', async () => {
    const r = new StreamReader(feed(['abc\r', '\nxyz\r', '\n']));
    expect([...(await collect(r.delimited('\r\n')))]).toEqual(['abc\r\n', 'xyz\r\n']);
  });

  it('refuses a message longer than the limit without a delimiter, and reads nothing more', async () => {
    const src = feed(['x'.repeat(5000), '?'], false);
    const r = new StreamReader(src);
    const err = await r.readUntil('?', { maxBytes: 4096 }).catch((e) => e);
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect(err.message).toMatch(/exceeds the limit of 4096 bytes/);
    await expect(r.readUntil('?')).rejects.toBe(err);
    src.destroy();
  });

  it('handles non-ASCII bytes as bytes', async () => {
    const r = new StreamReader(feed([Buffer.from([0xff, 0xfe, 0x00, 0x3f, 0xc3, 0xa9, 0x3f])]));
    expect((await r.readUntil('?'))!).toEqual(Buffer.from([0xff, 0xfe, 0x00, 0x3f]));
    expect((await r.readUntil('?'))!.toString('utf8')).toBe('é?');
  });
});

describe('tryReadUntil (no waiting)', () => {
  it('hands out every whole buffered message, then undefined until more arrives', async () => {
    const src = new PassThrough();
    const r = new StreamReader(src);
    src.write('Beautiful is better than?Explicit is better than?Simple is');
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.tryReadUntil('?')!.toString()).toBe('Beautiful is better than?');
    expect(r.tryReadUntil('?', { includeDelimiter: false })!.toString()).toBe('Explicit is better than');
    expect(r.tryReadUntil('?')).toBeUndefined();
    src.write(' better than?');
    expect((await r.readUntil('?'))!.toString()).toBe('Simple is better than?');
    expect(r.tryReadUntil('?')).toBeUndefined();
    src.end();
    expect(await r.readUntil('?')).toBeNull();
  });

  it('refuses a message longer than the limit, and keeps refusing', async () => {
    const src = new PassThrough();
    const r = new StreamReader(src);
    src.write('x'.repeat(5000));
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => r.tryReadUntil('?', { maxBytes: 4096 })).toThrow(FrameTooLargeError);
    expect(() => r.tryReadUntil('?', { maxBytes: 4096 })).toThrow(FrameTooLargeError);
    await expect(r.readUntil('?')).rejects.toThrow(FrameTooLargeError);
    src.destroy();
  });
});

describe('after a frame over the limit', () => {
  it('hands out nothing more, even bytes already buffered', async () => {
    // One read brings an oversized message and its delimiter, then a refused length prefix
    // and four bytes: all of it is buffered, none of it may come out after the refusal.
    const lines = new PassThrough();
    const byLine = new StreamReader(lines);
    lines.write(`${'x'.repeat(5000)}?next?`);
    await new Promise((resolve) => setImmediate(resolve));
    const tooLong = await byLine.readUntil('?', { maxBytes: 4096 }).catch((e) => e);
    expect(tooLong).toBeInstanceOf(FrameTooLargeError);
    await expect(byLine.readUntil('?')).rejects.toBe(tooLong);
    await expect(byLine.readSome()).rejects.toBe(tooLong);
    await expect(byLine.readExactly(1)).rejects.toBe(tooLong);
    lines.destroy();

    const frames = new PassThrough();
    const byFrame = new StreamReader(frames);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1 << 30);
    frames.write(Buffer.concat([header, Buffer.from('abcd')]));
    await new Promise((resolve) => setImmediate(resolve));
    const tooBig = await byFrame.readLengthPrefixed({ maxBytes: 100 }).catch((e) => e);
    expect(tooBig).toBeInstanceOf(FrameTooLargeError);
    await expect(byFrame.readSome()).rejects.toBe(tooBig);
    await expect(byFrame.readLengthPrefixed()).rejects.toBe(tooBig);
    frames.destroy();
  });

  it('still hands out a whole frame that arrived before the stream failed', async () => {
    const src = new PassThrough();
    const r = new StreamReader(src);
    src.write('Farewell, client');
    await new Promise((resolve) => setImmediate(resolve));
    src.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect((await r.readExactly(16)).toString()).toBe('Farewell, client');
    await expect(r.readExactly(1)).rejects.toThrow('ECONNRESET');
  });
});

describe('length-prefixed frames', () => {
  it('reads frames split and coalesced arbitrarily', async () => {
    const wire = Buffer.concat([
      encodeLengthPrefixed('one'),
      encodeLengthPrefixed(''),
      encodeLengthPrefixed('three'),
    ]);
    for (const parts of [
      [wire],
      bytewise(wire),
      [wire.subarray(0, 5), wire.subarray(5, 9), wire.subarray(9)],
    ]) {
      const frames = await collect(new StreamReader(feed(parts)).lengthPrefixedFrames());
      expect(frames).toEqual(['one', '', 'three']);
    }
  });

  it('refuses a declared length over the maximum before reading the payload', async () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1_000_000);
    const r = new StreamReader(feed([header, 'tiny'], false));
    const err = await r.readLengthPrefixed({ maxBytes: 1024 }).catch((e) => e);
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect(err.size).toBe(1_000_000);
    expect(r.bufferedBytes).toBeGreaterThanOrEqual(4); // the payload bytes were never handed out
  });

  it('reports a truncated length prefix and a truncated payload distinctly', async () => {
    await expect(new StreamReader(feed([Buffer.from([0, 0])])).readLengthPrefixed()).rejects.toThrow(
      'expected 4 bytes, received 2',
    );
    const partial = encodeLengthPrefixed('hello world').subarray(0, 9);
    await expect(new StreamReader(feed([partial])).readLengthPrefixed()).rejects.toThrow(
      'connection closed mid-frame: expected 11 bytes, received 5 before EOF',
    );
  });
});

describe('block stream (ch. 5 blocks.py)', () => {
  it('yields blocks until the zero-length end block, over a real TCP socket', async () => {
    const server = net.createServer(async (sock) => {
      await writeBlocks(sock, [
        Buffer.from('Beautiful is better than ugly.'),
        Buffer.from('Explicit is better than implicit.'),
      ]);
      sock.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const client = net.connect(port, '127.0.0.1');
    const blocks = await collect(new StreamReader(client).blocks());
    expect(blocks).toEqual(['Beautiful is better than ugly.', 'Explicit is better than implicit.']);
    client.destroy();
    server.close();
  });

  it('is an error when EOF comes before the end block', async () => {
    const wire = encodeLengthPrefixed('partial stream');
    await expect(collect(new StreamReader(feed([wire])).blocks())).rejects.toThrow(
      /block stream \(no end block\)/,
    );
    const ok = Buffer.concat([wire, END_OF_BLOCKS]);
    expect(await collect(new StreamReader(feed([ok])).blocks())).toEqual(['partial stream']);
  });
});

describe('back-pressure', () => {
  let server: net.Server | undefined;
  afterEach(() => server?.close());

  it('reads a 16 MiB frame from a fast sender through a 64 KiB high-water mark', async () => {
    const payload = Buffer.alloc(16 * 1024 * 1024, 7);
    server = net.createServer((sock) => sock.end(encodeLengthPrefixed(payload)));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    const r = new StreamReader(client, { highWaterMark: 64 * 1024 });
    const frame = await r.readLengthPrefixed({ maxBytes: 32 * 1024 * 1024 });
    expect(frame!.length).toBe(payload.length);
    expect(frame!.equals(payload)).toBe(true);
    client.destroy();
  });
});

async function collect(it: AsyncIterable<Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const b of it) out.push(b.toString());
  return out;
}

describe('delimited() and lengthPrefixedFrames() drain what is buffered', () => {
  /** A deterministic pseudo-random split of `data` into pieces of 1..max bytes. */
  function split(data: Buffer, seed: number, max: number): Buffer[] {
    const parts: Buffer[] = [];
    let x = seed;
    for (let off = 0; off < data.length; ) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const n = 1 + (x % max);
      parts.push(data.subarray(off, off + n));
      off += n;
    }
    return parts;
  }

  async function collect(it: AsyncIterable<Buffer>): Promise<string[]> {
    const out: string[] = [];
    for await (const m of it) out.push(m.toString('latin1'));
    return out;
  }

  it('returns the same messages however the stream is cut, for one- and multi-byte delimiters', async () => {
    const messages = Array.from({ length: 60 }, (_, i) => `m${i}-${'x'.repeat((i * 37) % 90)}`);
    for (const delim of ['?', '\r\n', '<END>']) {
      const data = Buffer.from(messages.map((m) => m + delim).join(''));
      for (const [seed, max] of [
        [1, 3],
        [7, 40],
        [42, 400],
      ] as const) {
        const got = await collect(new StreamReader(feed(split(data, seed, max))).delimited(delim));
        expect(got, `${JSON.stringify(delim)} seed ${seed}`).toEqual(messages.map((m) => m + delim));
      }
    }
  });

  it('returns the same frames however the stream is cut, empty frames included', async () => {
    const payloads = Array.from({ length: 50 }, (_, i) => 'y'.repeat((i * 53) % 120));
    const data = Buffer.concat(payloads.map((p) => encodeLengthPrefixed(p)));
    for (const [seed, max] of [
      [3, 2],
      [9, 30],
      [5, 700],
    ] as const) {
      const got = await collect(new StreamReader(feed(split(data, seed, max))).lengthPrefixedFrames());
      expect(got).toEqual(payloads);
    }
  });

  it('hands out every buffered message of a stream that stays open, then waits for the next', async () => {
    const s = new PassThrough();
    const it = new StreamReader(s).delimited('?')[Symbol.asyncIterator]();
    s.write('a?b?c?d');
    const first = await Promise.all([it.next(), it.next(), it.next()]);
    expect(first.map((r) => r.value?.toString())).toEqual(['a?', 'b?', 'c?']);
    const fourth = it.next();
    let settled = false;
    void fourth.then(() => {
      settled = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    s.end('?');
    expect((await fourth).value?.toString()).toBe('d?');
    expect((await it.next()).done).toBe(true);
  });

  it('stops at break, and a frame over the limit ends the iteration with FrameTooLargeError', async () => {
    const r = new StreamReader(
      feed([Buffer.concat([encodeLengthPrefixed('ok'), encodeLengthPrefixed('z'.repeat(50))])]),
    );
    const got: string[] = [];
    const err = await (async () => {
      for await (const f of r.lengthPrefixedFrames({ maxBytes: 10 })) got.push(f.toString());
    })().catch((e: unknown) => e);
    expect(got).toEqual(['ok']);
    expect(err).toBeInstanceOf(FrameTooLargeError);
    const r2 = new StreamReader(feed(['a\nb\nc\n']));
    for await (const m of r2.delimited('\n')) {
      expect(m.toString()).toBe('a\n');
      break;
    }
    expect((await r2.readUntil('\n'))?.toString()).toBe('b\n');
  });
});
