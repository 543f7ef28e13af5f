import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  /** The outbox row id the worker puts in X-Portal-Mail-Id. */
  outboxId: number | undefined;
}

/**
 * A real SMTP server for the outage and crash tests: it can listen on a given
 * port (to come back where the portal expects it) and can hold incoming
 * messages without answering, as a stalled mail server does.
 */
export interface ControlledSmtp {
  port: number;
  url: string;
  mails: ReceivedMail[];
  /** Messages are received but not answered until release(): the portal's worker waits. */
  hold(): void;
  release(): void;
  /** Forgets the held messages without accepting them (their sender has died); keeps holding. */
  dropHeld(): void;
  waitFor(match: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startControlledSmtp(port = 0): Promise<ControlledSmtp> {
  const mails: ReceivedMail[] = [];
  const waiters: { match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }[] = [];
  let held: { accept: () => void; drop: () => void }[] | undefined;
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
        const accept = () => {
          simpleParser(Buffer.concat(chunks))
            .then((parsed) => {
              const to = parsed.to ? [parsed.to].flat().map((a) => a.value.map((v) => v.address).join(',')).join(',') : '';
              const id = parsed.headers.get('x-portal-mail-id');
              const mail: ReceivedMail = { to, subject: parsed.subject ?? '', text: parsed.text ?? '', outboxId: id === undefined ? undefined : Number(id) };
              mails.push(mail);
              for (const w of [...waiters]) {
                if (w.match(mail)) {
                  waiters.splice(waiters.indexOf(w), 1);
                  w.resolve(mail);
                }
              }
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
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.server.address() as { port: number }).port;
  return {
    port: actual,
    url: `smtp://127.0.0.1:${actual}`,
    mails,
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
    waitFor(match, timeoutMs = 10_000) {
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
