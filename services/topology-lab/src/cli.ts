#!/usr/bin/env node
/**
 * topology-lab: the stack's RabbitMQ and Redis topologies, live in a browser.
 *   serve      the page, its API and event stream; health and metrics on the side port
 *   snapshot   one poll of everything, printed as JSON (what the page is sent)
 */
import { defineCommand, runCli, serveCommand } from '@fopnp/net/cli';
import { manifest } from './manifest.js';

const serve = serveCommand({
  manifest,
  start: async (ctx) => (await import('./service.js')).startService(ctx),
  description: `serve the lab on port ${manifest.options.port.default} (health on ${manifest.options.healthPort.default})`,
});

const snapshot = defineCommand({
  description: "print one poll of RabbitMQ (the pipeline's exchanges and queues), Redis and tally as JSON",
  options: manifest.options,
  async run({ values }) {
    // Loaded when run: `--help` loads the kit's light part and the manifest only (issue 20).
    const [{ createLogger }, { RabbitSource }, { RedisSource }, { pollTally }] = await Promise.all([
      import('@fopnp/net'),
      import('./sources/rabbitmq.js'),
      import('./sources/redis.js'),
      import('./sources/services.js'),
    ]);
    const logger = createLogger('topology-lab', { level: 'warn' });
    const rabbit = new RabbitSource(values.managementUrl, values.amqpUrl, values.amqpPrefix, logger);
    const redis = new RedisSource([...new Set([...values.redisUrls, ...values.shardUrls])], logger);
    try {
      const [rabbitmq, nodes, tally] = await Promise.all([
        rabbit.poll(),
        redis.poll(),
        pollTally(values.tallyUrl),
      ]);
      process.stdout.write(`${JSON.stringify({ rabbitmq, redis: nodes, tally }, null, 2)}\n`);
      return rabbitmq.health === 'up' ? 0 : 1;
    } finally {
      await Promise.all([rabbit.close(), redis.close()]);
    }
  },
});

process.exitCode = await runCli({
  name: 'topology-lab',
  description: "Book ch. 8's caches and message queues, live: the running stack's topologies in a browser.",
  commands: { serve, snapshot },
});
