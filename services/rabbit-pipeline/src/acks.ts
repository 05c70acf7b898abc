/**
 * Acks of one channel, coalesced. A manual ack per message costs a frame each way of
 * the broker's work; deliveries arrive in bursts and mostly finish in order, so the acks
 * a burst earns are sent once, at the end of the event-loop turn, as one `multiple` ack
 * up to the last delivery of the contiguous finished run. A delivery that finished
 * behind a slower one is acked on its own, so one slow handler never holds the others'
 * acks (and with them the prefetch window) hostage.
 */
import type { Channel, ConsumeMessage } from 'amqplib';

export class AckBatcher {
  /** Unsettled deliveries in delivery-tag order. */
  private readonly order: ConsumeMessage[] = [];
  private readonly finished = new Set<number>();
  /** Nacked on their own already: skipped, never covered by a later multiple ack. */
  private readonly nacked = new Set<number>();
  private scheduled = false;
  constructor(
    private readonly ch: Channel,
    /** Ack frames sent and the messages they covered (shared by a consumer's channels). */
    readonly stats = { frames: 0, messages: 0 },
  ) {}

  /** Deliveries tracked and not acked or nacked yet. */
  get pending(): number {
    return this.order.length;
  }

  track(msg: ConsumeMessage): void {
    this.order.push(msg);
  }

  ack(msg: ConsumeMessage): void {
    this.finished.add(msg.fields.deliveryTag);
    this.schedule();
  }

  nack(msg: ConsumeMessage, requeue: boolean): void {
    this.ch.nack(msg, false, requeue);
    this.nacked.add(msg.fields.deliveryTag);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      try {
        this.flush();
      } catch {
        // The channel closed: its unacked deliveries return to the queue on their own.
      }
    });
  }

  /** Sends the acks earned so far. */
  flush(): void {
    let last: ConsumeMessage | undefined;
    let covered = 0;
    while (this.order.length > 0) {
      const tag = this.order[0]!.fields.deliveryTag;
      if (this.finished.delete(tag)) {
        last = this.order[0];
        covered++;
      } else if (!this.nacked.delete(tag)) break;
      this.order.shift();
    }
    if (last) {
      this.ch.ack(last, true);
      this.stats.frames++;
      this.stats.messages += covered;
    }
    if (this.finished.size === 0) return;
    // Finished behind a delivery still at work: ack them one by one.
    for (let i = 0; i < this.order.length; i++) {
      const msg = this.order[i]!;
      if (this.finished.delete(msg.fields.deliveryTag)) {
        this.ch.ack(msg, false);
        this.stats.frames++;
        this.stats.messages++;
        this.order.splice(i--, 1);
      }
    }
  }
}
