import type { Db } from '../../db/database.js';
import { HOUR, MINUTE, type Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { createNotificationService } from './notifications.js';

/**
 * The server sends due invitations and reminders itself: a minute after start, then hourly.
 * Each mail goes at most once per case (see notifications.ts), so this may run beside a cron
 * job calling `portal survey remind` and on several servers at once.
 */
export function startSurveyReminders(deps: { db: Db; clock: Clock; logger: Logger; baseUrl: string }): () => void {
  const service = createNotificationService(deps);
  const run = () => {
    try {
      const c = service.sendDue();
      const total = c.invitation + c.reminder_7d + c.reminder_1d;
      if (total + c.withoutAddress > 0) deps.logger.info({ survey: c }, 'survey invitations and reminders queued');
    } catch (err) {
      deps.logger.error({ err }, 'survey reminders failed');
    }
  };
  const first = setTimeout(run, MINUTE);
  const hourly = setInterval(run, HOUR);
  first.unref();
  hourly.unref();
  return () => {
    clearTimeout(first);
    clearInterval(hourly);
  };
}
