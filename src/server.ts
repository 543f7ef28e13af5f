import http from 'node:http';
import path from 'node:path';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrate } from './db/migrate.js';
import { buildDeps } from './deps.js';
import { DEMO_INSURER, DEMO_MEMBER, DEMO_STAFF, isDatabaseEmpty, seedDemo } from './demo/seed.js';
import { pruneExpiredSessions } from './http/session-store.js';
import { startSurveyReminders } from './features/survey/schedule.js';
import { systemClock } from './lib/clock.js';
import { createLogger } from './lib/logger.js';
import { createMailTransport } from './mail/transport.js';

/** The only file that listens: config → database → app → listen. */
function main(): void {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const db = openDatabase(path.join(config.dataDir, 'portal.db'));
  const { applied } = migrate(db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  const clock = systemClock;
  const seededDemo = !config.isProduction && isDatabaseEmpty(db) && seedDemo({ db, clock }).seeded;

  const mailTransport = createMailTransport({ smtpUrl: config.smtpUrl, mailDir: path.join(config.dataDir, 'mail') });
  const deps = buildDeps({ config, db, clock, logger, mailTransport });
  const app = createApp(deps);

  // Node checks headersTimeout/requestTimeout only every connectionsCheckingInterval (default
  // 30 s): check every second so a slow client is cut off close to the limit, not up to 30 s later.
  const server = http.createServer({ connectionsCheckingInterval: 1_000 }, app);
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
    deps.outbox.start();
    printBanner({ base, dataDir: config.dataDir, devMail: !config.isProduction, smtp: Boolean(config.smtpUrl), seededDemo });
  });
  server.once('error', (err) => {
    console.error(`Cannot listen on ${config.host}:${config.port}: ${err.message}`);
    process.exit(1);
  });
  // A slow client cannot hold the server: whole request in 30 s, headers in 10 s.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  const prune = setInterval(() => pruneExpiredSessions(db, clock), 10 * 60_000);
  prune.unref();
  startSurveyReminders({ db, clock, logger, baseUrl: config.baseUrl });

  let stopping = false;
  // While stopping, every response says `Connection: close`, so a keep-alive client leaves
  // after its answer instead of holding the server open (or sending more) until the cut-off.
  const unanswered = new Set<http.ServerResponse>();
  server.prependListener('request', (_req, res) => {
    if (stopping) res.setHeader('Connection', 'close');
    unanswered.add(res);
    res.once('close', () => unanswered.delete(res));
  });
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    const outboxStopped = deps.outbox.stop();
    for (const res of unanswered) if (!res.headersSent) res.setHeader('Connection', 'close');
    server.close(() => {
      // A mail being handed to SMTP is marked sent before the database closes.
      void outboxStopped.finally(() => {
        db.close();
        logger.info('stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
    // Requests still running after 20 s are cut off rather than holding the shutdown for ever.
    setTimeout(() => {
      server.closeAllConnections();
    }, 20_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function printBanner(o: { base: string; dataDir: string; devMail: boolean; smtp: boolean; seededDemo: boolean }): void {
  const lines = [
    '',
    '加入者ポータル is running',
    `  Member portal (login):    ${o.base}/portal/`,
    `  First login (signup):     ${o.base}/portal/signup`,
    `  Call-center console:      ${o.base}/staff/`,
    `  Health check:             ${o.base}/healthz`,
  ];
  if (o.devMail && !o.smtp) lines.push(`  Mails sent (development): ${o.base}/dev/mail  (files in ${path.join(o.dataDir, 'mail')})`);
  lines.push(
    '',
    `Demo member to try at ${o.base}/portal/signup${o.seededDemo ? ' (demo data just created)' : ''}:`,
    `  保険者指定コード ${DEMO_INSURER.code} / 記号 ${DEMO_MEMBER.symbol} / 番号 ${DEMO_MEMBER.number}`,
    `  生年月日 ${DEMO_MEMBER.birthDate} / 氏名（カナ） ${DEMO_MEMBER.nameKana}`,
    '',
  );
  if (o.devMail) {
    lines.push(
      `Demo call-center supervisor at ${o.base}/staff/login (development only):`,
      `  ログインID ${DEMO_STAFF.loginId} / 初期パスワード ${DEMO_STAFF.initialPassword}`,
      '  first sign-in: choose a new password, then scan the QR code with an authenticator app (TOTP)',
      '',
    );
  }
  console.log(lines.join('\n'));
}

main();
