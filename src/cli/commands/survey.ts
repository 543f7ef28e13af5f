import { canonicalInsurerCode } from '../../lib/identifiers.js';
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
      default:
        throw new UsageError(USAGE);
    }
  },
};
