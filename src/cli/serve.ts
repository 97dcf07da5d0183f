import { Command } from 'commander';
import { startPortcullis } from '../main.js';

/** `portcullis serve [--config FILE]`: runs until SIGINT/SIGTERM, then stops gracefully. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the admission webhook (embedded defaults without --config: self-signed certs under ./certs, :8443, metrics :9090)')
    .option('-c, --config <file>', 'YAML configuration file (watched for changes)', process.env.PORTCULLIS_CONFIG)
    .action(async (options: { config?: string }) => {
      const running = await startPortcullis({ configPath: options.config });
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          running.logger.info({ signal }, 'shutting down');
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await running.close();
    });
}
