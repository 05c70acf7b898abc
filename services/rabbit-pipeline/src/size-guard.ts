/**
 * Refuses a delivery whose content header declares a body over a limit, before the body is
 * read. amqplib gathers every content frame of a message and concatenates them before a
 * consumer sees it, so a 50 MB message cost a role +577..610 MiB (a compose container of
 * 192 MiB was OOM-killed, restarted and met the same message again, for ever). The guard
 * sits in front of the channel's frame handler: it holds each basic.deliver until its
 * content header arrives, and when the header's body size is over the limit it drops the
 * content frames as they come (one frame, at most frame_max bytes, in memory at a time)
 * and hands the caller the delivery's fields and properties, so it can nack (dead-letter)
 * the message by its delivery tag. Smaller deliveries pass through untouched.
 *
 * amqplib exposes no hook between the header and the body, so this replaces its channel's
 * `acceptMessageFrame` on the one channel object; test/oversize.test.ts checks it against a
 * real broker, so an amqplib upgrade that changes the frame path fails there.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Channel, ConsumeMessage, MessageProperties } from 'amqplib';

/**
 * Skipped frames are still garbage: amqplib copies each socket read twice (stream.read(),
 * Buffer.concat) before a frame exists, and V8 collects those Buffers only once external
 * memory has grown by tens of MiB: four 50 MB messages still raised the peak RSS by 101 MiB
 * (182 MiB, at compose's 192 MiB door). A young-generation collection every 2 MiB skipped
 * (about a millisecond each, only while skipping) kept the same test at +23 MiB. The
 * collector is reached the one way Node allows after start-up (the flag, then a new context),
 * lazily on the first refusal; where that fails, skipping works without it.
 */
const RECLAIM_EVERY = 2 * 1024 * 1024;
let sinceReclaim = 0;
let collect: ((o: { type: 'minor' }) => void) | null | undefined;
function reclaim(bytes: number): void {
  sinceReclaim += bytes;
  if (sinceReclaim < RECLAIM_EVERY) return;
  sinceReclaim = 0;
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as typeof collect;
    } catch {
      collect = null;
    }
  }
  collect?.({ type: 'minor' });
}

/** amqplib's ids (lib/defs.js): the basic.deliver method frame and the basic content header. */
const BASIC_DELIVER = (60 << 16) | 60;
const BASIC_PROPERTIES = 60;

interface Frame {
  id?: number;
  fields?: unknown;
  size?: number;
  content?: Buffer;
}

/** A delivery refused from its header: everything but the body. */
export interface OversizeDelivery {
  fields: ConsumeMessage['fields'];
  properties: MessageProperties;
  /** The body size its header declared. */
  size: number;
}

/** An empty-bodied stand-in for a refused delivery: enough to ack or nack it by its tag. */
export function refusedMessage(d: OversizeDelivery): ConsumeMessage {
  return { fields: d.fields, properties: d.properties, content: Buffer.alloc(0) };
}

/**
 * From now on, deliveries on `ch` whose body is over `limit` bytes are never assembled:
 * `onOversize` gets each once its last content frame has gone by (so a nack follows the
 * delivery on the wire, and deliveries stay in tag order).
 */
export function guardDeliverySize(
  ch: Channel,
  limit: number,
  onOversize: (delivery: OversizeDelivery) => void,
): void {
  const target = ch as unknown as { acceptMessageFrame(f: Frame): void };
  if (typeof target.acceptMessageFrame !== 'function')
    throw new Error(
      'amqplib changed: Channel#acceptMessageFrame is gone, the delivery size guard cannot work',
    );
  const original = target.acceptMessageFrame.bind(target);
  let held: Frame | undefined;
  let skipping: (OversizeDelivery & { remaining: number }) | undefined;
  target.acceptMessageFrame = (f: Frame) => {
    if (skipping) {
      if (f.content === undefined) {
        // Not a content frame where one must be: let amqplib report the broken stream.
        skipping = undefined;
        original(f);
        return;
      }
      skipping.remaining -= f.content.length;
      reclaim(f.content.length);
      if (skipping.remaining > 0) return;
      const { remaining: _r, ...delivery } = skipping;
      skipping = undefined;
      onOversize(delivery);
      return;
    }
    if (held) {
      const deliver = held;
      held = undefined;
      if (f.id === BASIC_PROPERTIES && (f.size ?? 0) > limit) {
        skipping = {
          fields: deliver.fields as ConsumeMessage['fields'],
          properties: f.fields as MessageProperties,
          size: f.size!,
          remaining: f.size!,
        };
        return;
      }
      original(deliver);
      original(f);
      return;
    }
    if (f.id === BASIC_DELIVER) {
      held = f;
      return;
    }
    original(f);
  };
}
