import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The outbox row id the worker puts in X-Portal-Mail-Id. */
  outboxId: number | undefined;
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  url: string;
  port: number;
  mails: CapturedMail[];
  /** Refuse the next `n` messages with a 451 (temporary failure). */
  refuseNext(n: number): void;
  /** Messages are received but not answered until release(), as a stalled mail server does: the sender waits. */
  hold(): void;
  release(): void;
  /** Forgets the held messages without accepting them (their sender has died); keeps holding. */
  dropHeld(): void;
  /** Resolves with the first mail (already received or arriving later) that matches. */
  waitForMail(match: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  close(): Promise<void>;
}

function recipients(parsed: ParsedMail): string {
  if (!parsed.to) return '';
  return [parsed.to].flat().map((a) => a.value.map((v) => v.address).join(',')).join(',');
}

/**
 * A real SMTP server on 127.0.0.1 that keeps what arrives, parsed. `port` lets a
 * test bring a server back where the portal expects it (0: any free port).
 */
export async function startSmtpServer(options: { port?: number } = {}): Promise<TestSmtpServer> {
  const mails: CapturedMail[] = [];
  const waiters: { match: (m: CapturedMail) => boolean; resolve: (m: CapturedMail) => void }[] = [];
  let refuse = 0;
  let held: { accept: () => void; drop: () => void }[] | undefined;

  const received = (mail: CapturedMail) => {
    mails.push(mail);
    for (const w of [...waiters]) {
      if (w.match(mail)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(mail);
      }
    }
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    // A held message keeps its connection open: close() ends it after this long, not 30 s.
    closeTimeout: 200,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuse > 0) {
          refuse -= 1;
          callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
          return;
        }
        const accept = () => {
          simpleParser(Buffer.concat(chunks))
            .then((parsed) => {
              const id = parsed.headers.get('x-portal-mail-id');
              received({
                to: recipients(parsed),
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                outboxId: id === undefined ? undefined : Number(id),
                parsed,
              });
              callback();
            })
            .catch((err: Error) => callback(err));
        };
        const drop = () => callback(Object.assign(new Error('dropped'), { responseCode: 451 }));
        if (held) held.push({ accept, drop });
        else accept();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    mails,
    refuseNext(n) {
      refuse = n;
    },
    hold() {
      held ??= [];
    },
    release() {
      const pending = held ?? [];
      held = undefined;
      for (const m of pending) m.accept();
    },
    dropHeld() {
      const pending = held ?? [];
      if (held) held = [];
      for (const m of pending) m.drop();
    },
    waitForMail(match, timeoutMs = 10_000) {
      const found = mails.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching mail arrived')), timeoutMs);
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        held = undefined;
        server.close(() => resolve());
      }),
  };
}
