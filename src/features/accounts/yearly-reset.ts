import type { Db } from '../../db/database.js';
import { inTransaction } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { CLI_ACTOR, recordAudit } from '../audit/writer.js';
import type { AccountService } from './service.js';

/**
 * The yearly reset (年度替わり): closes every active account of one insurer, keeping the
 * rows as history (closed_reason 'yearly_reset'); each closing ends the account's sessions
 * and voids its open codes and reset links. Members then sign up again. A second run closes
 * nothing. Every run leaves a row in the audit log (the command line as the actor) with the count.
 */
export function closeAccountsForYearlyReset(
  deps: { db: Db; clock: Clock; accounts: AccountService },
  insurer: { id: number; code: string },
): number {
  const { db, clock, accounts } = deps;
  return inTransaction(db, () => {
    const closed = accounts.closeAllOfInsurer(insurer.id);
    recordAudit(db, clock, { ...CLI_ACTOR, action: 'yearly_reset', detail: `保険者 ${insurer.code}: ${closed}件のアカウントを終了` });
    return closed;
  });
}
