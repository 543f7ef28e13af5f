import { canonicalInsurerCode } from '../../lib/identifiers.js';
import { isoDateJst, isRealDate } from '../../lib/time.js';
import { createNoticeService, NOTICE_BODY_MAX, NOTICE_TITLE_MAX } from '../../features/notices/service.js';
import { findInsurerByCode } from '../../features/registry/insurers.js';
import { parseOptions, requireOption } from '../args.js';
import { UsageError } from '../context.js';
import type { Command } from '../index.js';

const USAGE =
  'usage: portal notice add --insurer CODE --title TITLE --body TEXT [--until YYYY-MM-DD]\n' +
  '  --body: plain text or limited Markdown: [link text](https://…), bare URLs, **bold**, - lists; raw HTML is shown as text';

export const noticeCommand: Command = {
  run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub !== 'add') throw new UsageError(USAGE);
    const { values, positionals } = parseOptions(rest, {
      insurer: { type: 'string' },
      title: { type: 'string' },
      body: { type: 'string' },
      until: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(USAGE);
    const code = canonicalInsurerCode(requireOption(values.insurer, 'insurer'));
    const title = requireOption(values.title, 'title').trim();
    // Shells pass "\n" literally; let the administrator write line breaks that way.
    const body = requireOption(values.body, 'body').replace(/\\n/g, '\n').trim();
    if (title.length > NOTICE_TITLE_MAX) throw new UsageError(`--title is longer than ${NOTICE_TITLE_MAX} characters`);
    if (body.length > NOTICE_BODY_MAX) throw new UsageError(`--body is longer than ${NOTICE_BODY_MAX} characters`);
    const until = values.until?.trim();
    if (until !== undefined && !isRealDate(until)) throw new UsageError(`--until "${until}" is not a date (YYYY-MM-DD)`);
    const today = isoDateJst(ctx.clock.now());
    if (until !== undefined && until < today) throw new UsageError(`--until ${until} is in the past (today is ${today})`);
    const insurer = findInsurerByCode(ctx.db, code);
    if (!insurer) throw new UsageError(`no insurer with code "${code}" (portal insurer list)`);
    const id = createNoticeService(ctx).add({ insurerId: insurer.id, title, body, untilDate: until ?? null });
    ctx.out(`notice ${id} added for ${insurer.code} (${insurer.name}): "${title}"${until ? `, shown until ${until}` : ''}`);
  },
};
