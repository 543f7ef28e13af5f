import type { Db } from '../../../db/database.js';
import { inTransaction } from '../../../db/database.js';
import type { Clock } from '../../../lib/clock.js';
import { canonicalInsurerCode } from '../../../lib/identifiers.js';
import { hashPassword } from '../../../lib/passwords.js';
import { destroyStaffSessions } from '../../../http/session-store.js';
import { findInsurerByCode } from '../../registry/insurers.js';
import { recordAudit, type AuditAction, type AuditEntry } from '../../audit/writer.js';
import { newInitialPassword } from './initial-password.js';
import {
  disableStaff,
  enableStaff,
  findStaffById,
  findStaffByLogin,
  insertStaff,
  listStaff,
  resetStaffAuthenticator,
  resetStaffPassword,
  staffInsurerCodes,
  unlockStaff,
  type StaffRole,
  type StaffRow,
} from '../queries.js';

export type { StaffRole };
export const STAFF_ROLES: readonly StaffRole[] = ['operator', 'reviewer', 'supervisor'];
export const STAFF_LOGIN = /^[A-Za-z0-9._@+-]{3,50}$/;
export const ROLE_LABELS: Record<StaffRole, string> = { operator: 'オペレーター', reviewer: '審査担当', supervisor: 'スーパーバイザー' };

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

/** Who is acting (a supervisor, or the command line) and why. */
export type Actor = Pick<AuditEntry, 'staffId' | 'staffLogin' | 'clientIp'>;
export type StaffTarget = { loginId: string } | { id: number };

/** A refusal in English for the command line (`problem`) and in Japanese for the team page (`ja`). */
type Refusal = { ok: false; problem: string; ja: string; notFound?: boolean };
export type StaffChange = { ok: true; loginId: string } | Refusal;
export type StaffPasswordChange = { ok: true; loginId: string; initialPassword: string } | Refusal;
const refusal = (problem: string, ja: string): Refusal => ({ ok: false, problem, ja });

/**
 * Staff accounts, run alike from the administrator's command line and a supervisor's
 * team page: add, reset the password or the authenticator, disable, enable, unlock.
 * Each change and its audit row are one transaction; a slow hash is made before it.
 */
export function createStaffAccountsService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  function find(target: StaffTarget): StaffRow | undefined {
    return 'id' in target ? findStaffById(db, target.id) : findStaffByLogin(db, target.loginId);
  }
  const nobody = (target: StaffTarget): Refusal => ({
    ...refusal(`no staff "${'id' in target ? target.id : target.loginId}"`, 'このスタッフは見つかりません'),
    notFound: true,
  });

  async function addStaff(
    input: { loginId: string; role: StaffRole; insurerCodes: string[] },
    actor: Actor,
    reason?: string,
  ): Promise<{ ok: true; id: number; initialPassword: string } | { ok: false; problem: string; field?: 'loginId' | 'role' | 'insurers'; ja?: string }> {
    if (!STAFF_LOGIN.test(input.loginId)) {
      return {
        ok: false,
        field: 'loginId',
        problem: `login "${input.loginId}" must be 3–50 characters from A–Z a–z 0–9 . _ @ + -`,
        ja: 'ログインIDは半角英数字と . _ @ + - の3〜50文字で入力してください',
      };
    }
    if (!STAFF_ROLES.includes(input.role)) return { ok: false, field: 'role', problem: `role must be one of ${STAFF_ROLES.join(', ')}`, ja: '役割を選択してください' };
    if (input.role === 'supervisor' && input.insurerCodes.length > 0) {
      return { ok: false, field: 'insurers', problem: 'a supervisor sees every insurer; --insurer is for operators and reviewers', ja: 'スーパーバイザーはすべての保険者を担当します。担当保険者の選択を外してください' };
    }
    const insurerIds: number[] = [];
    for (const raw of input.insurerCodes) {
      const insurer = findInsurerByCode(db, canonicalInsurerCode(raw));
      if (!insurer) return { ok: false, field: 'insurers', problem: `no insurer with code "${raw}" (portal insurer list)`, ja: '担当保険者を選び直してください' };
      if (!insurerIds.includes(insurer.id)) insurerIds.push(insurer.id);
    }
    const initialPassword = newInitialPassword(input.loginId);
    const passwordHash = await hashPassword(initialPassword);
    return inTransaction(db, () => {
      if (findStaffByLogin(db, input.loginId)) {
        return { ok: false as const, field: 'loginId' as const, problem: `staff "${input.loginId}" already exists`, ja: 'このログインIDはすでに使われています' };
      }
      const id = insertStaff(
        db,
        { loginId: input.loginId, role: input.role, passwordHash, allInsurers: insurerIds.length === 0, insurerIds },
        clock.now(),
      );
      recordAudit(db, clock, {
        ...actor,
        action: 'staff_add',
        reason: reason ?? null,
        detail: `${input.loginId} ${input.role} ${insurerIds.length ? input.insurerCodes.map(canonicalInsurerCode).join(' ') : 'all'}`,
      });
      return { ok: true as const, id, initialPassword };
    });
  }

  /** One change to one staff row with its audit row, refused when `refuse` says so. */
  function change(
    target: StaffTarget,
    actor: Actor,
    reason: string | undefined,
    action: AuditAction,
    refuse: (s: StaffRow) => Refusal | undefined,
    apply: (s: StaffRow) => string | void,
  ): StaffChange {
    return inTransaction(db, () => {
      const s = find(target);
      if (!s) return nobody(target);
      const refused = refuse(s);
      if (refused) return refused;
      const detail = apply(s);
      recordAudit(db, clock, { ...actor, action, reason: reason ?? null, detail: detail ? `${s.login_id}（${detail}）` : s.login_id });
      return { ok: true as const, loginId: s.login_id };
    });
  }

  const isSelf = (s: StaffRow, actor: Actor) => actor.staffId !== null && actor.staffId === s.id;

  /** Disables the account and ends its sessions at once. A supervisor cannot disable themselves. */
  function disable(target: StaffTarget, actor: Actor, reason?: string): StaffChange {
    return change(
      target,
      actor,
      reason,
      'staff_disable',
      (s) =>
        s.disabled_at !== null
          ? refusal(`staff "${s.login_id}" is already disabled`, 'このスタッフはすでに利用停止されています')
          : isSelf(s, actor)
            ? refusal('you cannot disable your own account', '自分のアカウントは利用停止できません。別のスーパーバイザーに依頼してください')
            : undefined,
      (s) => {
        disableStaff(db, s.id, clock.now());
        return `終了したセッション ${destroyStaffSessions(db, s.id)}`;
      },
    );
  }

  function enable(target: StaffTarget, actor: Actor, reason?: string): StaffChange {
    return change(
      target,
      actor,
      reason,
      'staff_enable',
      (s) => (s.disabled_at === null ? refusal(`staff "${s.login_id}" is not disabled`, 'このスタッフは利用停止されていません') : undefined),
      (s) => enableStaff(db, s.id),
    );
  }

  function unlock(target: StaffTarget, actor: Actor, reason?: string): StaffChange {
    return change(
      target,
      actor,
      reason,
      // The console's row keeps the name it always had; the command line's too.
      actor.staffId === null ? 'staff_unlock' : 'unlock_staff',
      (s) => (s.locked_at === null && s.failed_logins === 0 ? refusal(`staff "${s.login_id}" is not locked`, 'このスタッフはロックされていません') : undefined),
      (s) => unlockStaff(db, s.id),
    );
  }

  /** The authenticator is forgotten and the sessions end: the next sign-in enrols a new one. */
  function resetAuthenticator(target: StaffTarget, actor: Actor, reason?: string): StaffChange {
    return change(
      target,
      actor,
      reason,
      'staff_reset_authenticator',
      (s) =>
        s.totp_secret === null && s.totp_enrolled_at === null
          ? refusal(`staff "${s.login_id}" has no authenticator to reset`, '認証アプリはまだ登録されていません（次のログインで登録します）')
          : undefined,
      (s) => {
        resetStaffAuthenticator(db, s.id);
        return `終了したセッション ${destroyStaffSessions(db, s.id)}`;
      },
    );
  }

  /**
   * A new one-time password, shown once to whoever reset it; the old one stops working,
   * the sessions end and a lock is lifted. The person sets their own at the next sign-in.
   */
  async function resetPassword(target: StaffTarget, actor: Actor, reason?: string): Promise<StaffPasswordChange> {
    const before = find(target);
    if (!before) return nobody(target);
    const initialPassword = newInitialPassword(before.login_id);
    const passwordHash = await hashPassword(initialPassword);
    const done = change(
      { id: before.id },
      actor,
      reason,
      'staff_reset_password',
      (s) =>
        s.disabled_at !== null ? refusal(`staff "${s.login_id}" is disabled; enable it first`, '利用停止中のスタッフです。先に利用を再開してください') : undefined,
      (s) => {
        resetStaffPassword(db, s.id, passwordHash);
        return `終了したセッション ${destroyStaffSessions(db, s.id)}`;
      },
    );
    return done.ok ? { ...done, initialPassword } : done;
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

  function summary(id: number): StaffSummary | undefined {
    return list().find((s) => s.id === id);
  }

  return { addStaff, disable, enable, unlock, resetAuthenticator, resetPassword, list, summary };
}
