import type { Db } from '../../db/database.js';
import { inTransaction } from '../../db/database.js';
import { destroyAccountSessions } from '../../http/session-store.js';
import type { Clock } from '../../lib/clock.js';
import { CLI_ACTOR, recordAudit } from '../audit/writer.js';
import { createRecoveryQueries } from '../recovery/queries.js';
import { createLoginQueries } from './queries.js';

/**
 * The yearly reset (年度替わり): closes every active account of one insurer, keeping
 * the rows as history (closed_reason 'yearly_reset'), ends their sessions and voids
 * their open reset links, all in one transaction. Members then sign up again; logging
 * in with last year's ID and password says so. A second run closes nothing. Every run
 * leaves a row in the audit log (the command line as the actor) with the count.
 */
export function closeAccountsForYearlyReset(deps: { db: Db; clock: Clock }, insurer: { id: number; code: string }): number {
  const { db, clock } = deps;
  const login = createLoginQueries(db);
  const recovery = createRecoveryQueries(db);
  return inTransaction(db, () => {
    const now = clock.now();
    let closed = 0;
    for (const id of login.activeIdsOfInsurer(insurer.id)) {
      if (!login.close(id, now, 'yearly_reset')) continue;
      destroyAccountSessions(db, id);
      recovery.voidOpenResets(id, now);
      closed += 1;
    }
    recordAudit(db, clock, { ...CLI_ACTOR, action: 'yearly_reset', detail: `保険者 ${insurer.code}: ${closed}件のアカウントを終了` });
    return closed;
  });
}
