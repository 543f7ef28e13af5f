import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import { canonicalInsurerCode } from '../../lib/identifiers.js';
import { CLI_ACTOR, recordAudit } from '../../features/audit/writer.js';
import { isRealDate } from '../../features/survey/dates.js';
import { findInsurerByCode, findInsurerById } from '../../features/registry/insurers.js';
import { CASE_STATUS_LABELS, type CaseStatus } from '../../features/survey/labels.js';
import { createNotificationService } from '../../features/survey/notifications.js';
import { createSurveysService } from '../../features/survey/surveys.js';
import { createTargetImportService } from '../../features/survey/targets.js';
import { parseOptions, requireOption } from '../args.js';
import { UsageError, type CliContext } from '../context.js';
import type { Command } from '../index.js';

const USAGE = [
  'usage: portal survey create --insurer CODE --title TITLE --opens YYYY-MM-DD --closes YYYY-MM-DD',
  '       portal survey list [--insurer CODE]',
  '       portal survey import-targets FILE.csv --survey ID',
  '       portal survey remind --survey ID',
  '       portal survey export --survey ID [--out FILE] [--encoding utf8|sjis] [--nonresponders]',
  '       portal survey purge --survey ID --before YYYY-MM-DD',
].join('\n');

function insurerOf(ctx: CliContext, code: string) {
  const insurer = findInsurerByCode(ctx.db, canonicalInsurerCode(code));
  if (!insurer) throw new UsageError(`no insurer with code "${code}" (portal insurer list)`);
  return insurer;
}

function surveyIdOf(value: string | undefined): number {
  const raw = requireOption(value, 'survey');
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) throw new UsageError(`--survey "${raw}" is not a survey id (portal survey list)`);
  return Number(raw);
}

export const surveyCommand: Command = {
  async run(args, ctx) {
    const [sub, ...rest] = args;
    const surveys = createSurveysService(ctx);
    switch (sub) {
      case 'create': {
        const { values, positionals } = parseOptions(rest, {
          insurer: { type: 'string' }, title: { type: 'string' }, opens: { type: 'string' }, closes: { type: 'string' },
        });
        if (positionals.length > 0) throw new UsageError(USAGE);
        const insurer = insurerOf(ctx, requireOption(values.insurer, 'insurer'));
        const result = surveys.create({
          insurerId: insurer.id,
          title: requireOption(values.title, 'title'),
          opensOn: requireOption(values.opens, 'opens').trim(),
          closesOn: requireOption(values.closes, 'closes').trim(),
        });
        if (!result.ok) throw new UsageError(result.problem);
        ctx.out(String(result.id));
        return;
      }
      case 'list': {
        const { values, positionals } = parseOptions(rest, { insurer: { type: 'string' } });
        if (positionals.length > 0) throw new UsageError(USAGE);
        const insurerId = values.insurer === undefined ? undefined : insurerOf(ctx, values.insurer).id;
        const list = surveys.list(insurerId);
        if (list.length === 0) ctx.out('no surveys');
        for (const s of list) {
          const insurer = findInsurerById(ctx.db, s.insurer_id);
          const counts = (Object.keys(CASE_STATUS_LABELS) as CaseStatus[]).map((k) => `${k} ${s.counts[k]}`).join(', ');
          ctx.out(`${s.id}\t${insurer?.code ?? s.insurer_id}\t${s.title}\t${s.opens_on} – ${s.closes_on}\tcases ${s.cases}: ${counts}`);
        }
        return;
      }
      case 'import-targets': {
        const { values, positionals } = parseOptions(rest, { survey: { type: 'string' } });
        if (positionals.length !== 1) throw new UsageError(USAGE);
        const surveyId = surveyIdOf(values.survey);
        if (!surveys.find(surveyId)) throw new UsageError(`no survey ${surveyId} (portal survey list)`);
        const result = await createTargetImportService({ ...ctx, baseUrl: ctx.config.baseUrl }).importTargets(positionals[0]!, surveyId);
        if (!result.ok) {
          for (const line of result.badRows) ctx.err(line);
          throw new UsageError(`${result.badRows.length} bad row(s); nothing imported`);
        }
        ctx.out(`imported ${result.dependents} dependent(s) of ${result.cases} member(s) into survey ${surveyId} (${result.encoding}); removed ${result.removed}`);
        for (const k of result.kept) {
          ctx.out(`kept ${k.symbol}-${k.number} dependent_no ${k.dependentNo} ${k.name}: not in the file, but the member has already answered for them`);
        }
        if (result.invitations) {
          ctx.out(`invitations: ${result.invitations.invitation} mailed, ${result.invitations.withoutAddress} without an address on file`);
        }
        return;
      }
      case 'remind': {
        const { values, positionals } = parseOptions(rest, { survey: { type: 'string' } });
        if (positionals.length > 0) throw new UsageError(USAGE);
        const surveyId = surveyIdOf(values.survey);
        if (!surveys.find(surveyId)) throw new UsageError(`no survey ${surveyId} (portal survey list)`);
        const c = createNotificationService({ ...ctx, baseUrl: ctx.config.baseUrl }).sendDue(surveyId);
        const total = c.invitation + c.reminder_7d + c.reminder_1d;
        ctx.out(`${total} mail(s) queued: invitations ${c.invitation}, 7-day reminders ${c.reminder_7d}, 1-day reminders ${c.reminder_1d}; ${c.withoutAddress} not mailed (no address on file)`);
        return;
      }
      case 'export': {
        const { values, positionals } = parseOptions(rest, {
          survey: { type: 'string' }, out: { type: 'string' }, encoding: { type: 'string' }, nonresponders: { type: 'boolean' },
        });
        if (positionals.length > 0) throw new UsageError(USAGE);
        const survey = surveys.find(surveyIdOf(values.survey));
        if (!survey) throw new UsageError(`no survey ${values.survey} (portal survey list)`);
        const encoding = values.encoding ?? 'utf8';
        if (encoding !== 'utf8' && encoding !== 'sjis') throw new UsageError(`--encoding must be utf8 or sjis, not "${encoding}"`);
        const kind = values.nonresponders ? 'nonresponders' : 'results';
        recordAudit(ctx.db, ctx.clock, {
          ...CLI_ACTOR, action: 'export_survey', query: `${kind === 'results' ? '結果' : '未提出者'}・${encoding === 'sjis' ? 'Shift_JIS' : 'UTF-8'}`,
          detail: `調査 ${survey.id}（${survey.title}）${values.out ? `→ ${values.out}` : ''}`,
        });
        const out = values.out ? fs.createWriteStream(values.out, { mode: 0o600 }) : process.stdout;
        const rows = await ctx.services.surveyExport[kind](survey, out, encoding);
        if (values.out) {
          out.end();
          await finished(out);
          ctx.out(`${rows} row(s) written to ${values.out}`);
        }
        return;
      }
      case 'purge': {
        const { values, positionals } = parseOptions(rest, { survey: { type: 'string' }, before: { type: 'string' } });
        if (positionals.length > 0) throw new UsageError(USAGE);
        const survey = surveys.find(surveyIdOf(values.survey));
        if (!survey) throw new UsageError(`no survey ${values.survey} (portal survey list)`);
        const before = requireOption(values.before, 'before').trim();
        if (!/^\d{4}-\d{2}-\d{2}$/.test(before) || !isRealDate(before)) throw new UsageError(`--before "${before}" is not a date (YYYY-MM-DD)`);
        const n = await ctx.services.surveyDocumentPurge.purge(survey, before);
        ctx.out(`${n} document file(s) of cases completed before ${before} deleted; their records are kept`);
        return;
      }
      default:
        throw new UsageError(USAGE);
    }
  },
};
