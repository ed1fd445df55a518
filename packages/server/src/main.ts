import { loadConfig } from './config.js';
import { startServer } from './server.js';

// The reference server: `npm start`. Configuration comes from the environment (see the README).
const running = await startServer(loadConfig()).catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
const { logger } = running;

logger.info({ url: running.url, storage: running.storage.dialect }, `Kirim is listening on ${running.url}`);
if (running.metricsUrl) logger.info(`Prometheus metrics, without a token, at ${running.metricsUrl}/metrics`);
if (running.firstAdminToken) {
  // Printed once, to the terminal only: it is the only way in on a fresh install without KIRIM_ADMIN_TOKEN.
  process.stdout.write(
    `\n  First start: an admin user was created. Its API token (shown only now):\n\n    ${running.firstAdminToken}\n\n` +
      `  Open ${running.url} and sign in with it, or try: curl -H "Authorization: Bearer <token>" ${running.url}/api/me\n\n`,
  );
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
