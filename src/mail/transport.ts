import fs from 'node:fs';
import path from 'node:path';
import nodemailer, { type SendMailOptions, type TransportOptions, type Transporter } from 'nodemailer';

/**
 * SMTP when SMTP_URL is set (required in production). Otherwise each mail is
 * written as an .eml file under DATA_DIR/mail, readable at /dev/mail.
 */
export function createMailTransport(opts: { smtpUrl: string | undefined; mailDir: string }): Transporter {
  if (opts.smtpUrl) {
    // A stalled server must not hold the outbox past a code's 10-minute life:
    // give up on one attempt within a minute and let the backoff retry.
    return nodemailer.createTransport({
      url: opts.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    } as TransportOptions);
  }
  return createFileTransport(opts.mailDir);
}

function createFileTransport(dir: string): Transporter {
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let seq = 0;
  const send = stream.sendMail.bind(stream);
  // Wrap sendMail so the generated message lands in a file named by time and sequence.
  return Object.assign(Object.create(stream) as Transporter, {
    async sendMail(message: SendMailOptions) {
      const info = (await send(message)) as { message: Buffer; messageId: string };
      await fs.promises.mkdir(dir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(++seq).padStart(4, '0')}.eml`;
      await fs.promises.writeFile(path.join(dir, name), info.message, { mode: 0o600 });
      return { messageId: info.messageId, envelope: {}, accepted: [message.to], rejected: [], response: `file ${name}` };
    },
  });
}
