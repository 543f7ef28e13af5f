import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { simpleParser } from 'mailparser';
import { HttpError } from '../../http/errors.js';

const EML = /^[A-Za-z0-9-]+\.eml$/;

/**
 * /dev/mail: the mails that the development file transport wrote, newest
 * first. Mounted only outside production.
 */
export function devMailRoutes(deps: { mailDir: string; smtpConfigured: boolean }): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const files = (await fs.promises.readdir(deps.mailDir).catch(() => [] as string[]))
      .filter((f) => EML.test(f))
      .sort()
      .reverse()
      .slice(0, 200);
    const mails = await Promise.all(
      files.map(async (file) => {
        const parsed = await simpleParser(await fs.promises.readFile(path.join(deps.mailDir, file)));
        return { file, subject: parsed.subject ?? '', to: parsed.to ? [parsed.to].flat().map((a) => a.text).join(', ') : '', date: parsed.date?.getTime() };
      }),
    );
    res.set('Cache-Control', 'no-store').render('devmail/index.njk', { mails, mailDir: deps.mailDir, smtpConfigured: deps.smtpConfigured });
  });

  router.get('/:file', async (req, res) => {
    const file = req.params.file;
    if (!EML.test(file)) throw new HttpError(404, 'not_found');
    const raw = await fs.promises.readFile(path.join(deps.mailDir, file)).catch(() => undefined);
    if (!raw) throw new HttpError(404, 'not_found');
    const parsed = await simpleParser(raw);
    res.set('Cache-Control', 'no-store').render('devmail/show.njk', {
      file,
      subject: parsed.subject ?? '',
      from: parsed.from?.text ?? '',
      to: parsed.to ? [parsed.to].flat().map((a) => a.text).join(', ') : '',
      date: parsed.date?.getTime(),
      text: parsed.text ?? '',
    });
  });

  return router;
}
