/**
 * A connection that declares a topology on every (re)connect, with its confirming
 * publisher: how the pipeline and each tutorial pattern start.
 */
import type { Logger } from '@fopnp/net';
import type { ChannelModel } from 'amqplib';
import { Broker } from './connection.js';
import { ReliablePublisher } from './publisher.js';
import { type DeclareOptions, declareTopology, type Topology } from './topology.js';

export interface DeclaredConnectionOptions {
  url: string;
  topology: Topology;
  declare: DeclareOptions;
  /** @default 512 */
  maxInFlight?: number;
  logger: Logger;
}

export async function connectDeclared(
  o: DeclaredConnectionOptions,
): Promise<{ broker: Broker; publisher: ReliablePublisher }> {
  const broker = await Broker.connect({
    url: o.url,
    logger: o.logger,
    async declare(model: ChannelModel) {
      const ch = await model.createChannel();
      // A refused declaration rejects below (and the connect is retried); without a
      // listener the channel's 'error' would also be an uncaught exception.
      ch.on('error', () => {});
      await declareTopology(ch, o.topology, o.declare);
      await ch.close();
    },
  });
  const publisher = await new ReliablePublisher(broker, {
    maxInFlight: o.maxInFlight ?? 512,
    logger: o.logger,
  }).start();
  return { broker, publisher };
}
