import type { Db } from '../../../db/database.js';
import { inTransaction } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { canonicalInsurerCode } from '../../../lib/identifiers.js';
import { hashPassword } from '../../../lib/passwords.js';
import { destroyStaffSessions } from '../../../http/session-store.js';
import { findInsurerByCode } from '../../registry/insurers.js';
import { recordAudit, type AuditEntry } from '../../audit/writer.js';
import { newInitialPassword } from './initial-password.js';
import {
  disableStaff,
  findStaffById,
  findStaffByLogin,
  insertStaff,
  listStaff,
  staffInsurerCodes,
  unlockStaff,
} from '../queries.js';

export type StaffRole = 'operator' | 'supervisor';
export const STAFF_LOGIN = /^[A-Za-z0-9._@+-]{3,50}$/;
export const ROLE_LABELS: Record<StaffRole, string> = { operator: 'オペレーター', supervisor: 'スーパーバイザー' };

/** A staff member as lists (CLI, team page) show them: no hash, no secret. */
export interface StaffSummary {
  id: number;
  loginId: string;
  role: StaffRole;
  roleLabel: string;
  insurers: string[] | 'all';
  state: 'active' | 'locked' | 'disabled';
  stateLabel: string;
  mustChangePassword: boolean;
  enrolled: boolean;
  failedLogins: number;
  lockedAt: number | null;
  createdAt: number;
}

export type StaffChange = { ok: true; loginId: string } | { ok: false; problem: string; notFound?: boolean };
type Actor = Pick<AuditEntry, 'staffId' | 'staffLogin' | 'clientIp'>;

/**
 * Staff accounts: created, disabled, unlocked and listed by the administrator's
 * command line; a supervisor may also unlock from the console's team page.
 */
export function createStaffAccountsService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function addStaff(
    input: { loginId: string; role: StaffRole; insurerCodes: string[] },
    actor: Actor,
  ): Promise<{ ok: true; id: number; initialPassword: string } | { ok: false; problem: string }> {
    if (!STAFF_LOGIN.test(input.loginId)) return { ok: false, problem: `login "${input.loginId}" must be 3–50 characters from A–Z a–z 0–9 . _ @ + -` };
    if (input.role === 'supervisor' && input.insurerCodes.length > 0) {
      return { ok: false, problem: 'a supervisor sees every insurer; --insurer is for operators' };
    }
    const insurerIds: number[] = [];
    for (const raw of input.insurerCodes) {
      const insurer = findInsurerByCode(db, canonicalInsurerCode(raw));
      if (!insurer) return { ok: false, problem: `no insurer with code "${raw}" (portal insurer list)` };
      if (!insurerIds.includes(insurer.id)) insurerIds.push(insurer.id);
    }
    const initialPassword = newInitialPassword(input.loginId);
    const passwordHash = await hashPassword(initialPassword);
    return inTransaction(db, () => {
      if (findStaffByLogin(db, input.loginId)) return { ok: false as const, problem: `staff "${input.loginId}" already exists` };
      const id = insertStaff(
        db,
        { loginId: input.loginId, role: input.role, passwordHash, allInsurers: insurerIds.length === 0, insurerIds },
        clock.now(),
      );
      recordAudit(db, clock, {
        ...actor,
        action: 'staff_add',
        detail: `${input.loginId} ${input.role} ${insurerIds.length ? input.insurerCodes.map(canonicalInsurerCode).join(' ') : 'all'}`,
      });
      return { ok: true as const, id, initialPassword };
    });
  }

  /** Disables the account and ends its sessions at once. */
  function disable(loginId: string, actor: Actor): StaffChange {
    return inTransaction(db, () => {
      const s = findStaffByLogin(db, loginId);
      if (!s) return { ok: false as const, problem: `no staff "${loginId}"`, notFound: true };
      if (s.disabled_at !== null) return { ok: false as const, problem: `staff "${s.login_id}" is already disabled` };
      disableStaff(db, s.id, clock.now());
      destroyStaffSessions(db, s.id);
      recordAudit(db, clock, { ...actor, action: 'staff_disable', detail: s.login_id });
      return { ok: true as const, loginId: s.login_id };
    });
  }

  function unlock(target: { loginId: string } | { id: number }, actor: Actor, reason?: string): StaffChange {
    return inTransaction(db, () => {
      const s = 'id' in target ? findStaffById(db, target.id) : findStaffByLogin(db, target.loginId);
      if (!s) return { ok: false as const, problem: `no staff "${'id' in target ? target.id : target.loginId}"`, notFound: true };
      if (s.locked_at === null && s.failed_logins === 0) return { ok: false as const, problem: `staff "${s.login_id}" is not locked` };
      unlockStaff(db, s.id);
      recordAudit(db, clock, {
        ...actor,
        action: actor.staffId === null ? 'staff_unlock' : 'unlock_staff',
        reason: reason ?? null,
        detail: s.login_id,
      });
      return { ok: true as const, loginId: s.login_id };
    });
  }

  function list(): StaffSummary[] {
    return listStaff(db).map((s) => {
      const state = s.disabled_at !== null ? 'disabled' : s.locked_at !== null ? 'locked' : 'active';
      return {
        id: s.id,
        loginId: s.login_id,
        role: s.role,
        roleLabel: ROLE_LABELS[s.role],
        insurers: s.all_insurers === 1 || s.role === 'supervisor' ? 'all' : staffInsurerCodes(db, s.id),
        state,
        stateLabel: { active: '利用中', locked: 'ロック中', disabled: '利用停止' }[state],
        mustChangePassword: s.must_change_password === 1,
        enrolled: s.totp_enrolled_at !== null,
        failedLogins: s.failed_logins,
        lockedAt: s.locked_at,
        createdAt: s.created_at,
      };
    });
  }

  return { addStaff, disable, unlock, list };
}
