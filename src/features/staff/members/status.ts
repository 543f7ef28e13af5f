/**
 * A member's account status as the call center names it (docs/console.md), derived from facts read from the database. Pure:
 * the rules are tested without a database.
 */
export type AccountStatusCode = 'lost' | 'locked' | 'registered' | 'code_sent' | 'reset' | 'unregistered';

export const STATUS_LABELS: Record<AccountStatusCode, string> = {
  unregistered: '未登録',
  code_sent: '認証コード送信済',
  registered: '登録済',
  locked: 'ロック中',
  reset: '年度リセット済',
  lost: '資格喪失',
};

export interface StatusFacts {
  now: number;
  member: { status: 'active' | 'lost'; updatedAt: number; signupLockedUntil: number | null };
  /** The member's active account, if any. */
  activeAccount?: { createdAt: number; lockedUntil: number | null };
  /** The newest account, active or closed. */
  newestAccount?: { status: 'active' | 'closed'; closedAt: number | null; closedReason: string | null };
  /** The newest signup registration not completed, with its newest signup code. */
  pendingSignup?: {
    codeCreatedAt: number | null;
    codeExpiresAt: number | null;
    codeConsumedAt: number | null;
    codeVoidedAt: number | null;
  };
}

export interface AccountStatus {
  code: AccountStatusCode;
  label: string;
  /** Why, in words an operator can read out. */
  reason: string;
  /** When the state began (or the code was sent), if known. */
  at: number | null;
  /** When it ends by itself (a lock, a code), if it does. */
  until: number | null;
}

const status = (code: AccountStatusCode, reason: string, at: number | null, until: number | null = null): AccountStatus => ({
  code,
  label: STATUS_LABELS[code],
  reason,
  at,
  until,
});

export function accountStatus(f: StatusFacts): AccountStatus {
  const { now, member } = f;
  if (member.status === 'lost') return status('lost', '加入者名簿で資格喪失となっています', member.updatedAt);

  const accountLock = f.activeAccount?.lockedUntil != null && f.activeAccount.lockedUntil > now ? f.activeAccount.lockedUntil : null;
  const signupLock = member.signupLockedUntil != null && member.signupLockedUntil > now ? member.signupLockedUntil : null;
  if (accountLock !== null || signupLock !== null) {
    const reasons = [
      accountLock !== null ? 'ログインの失敗が続いたため' : '',
      signupLock !== null ? '本人確認（初回登録）の失敗が続いたため' : '',
    ].filter(Boolean);
    return status('locked', reasons.join('、'), null, Math.max(accountLock ?? 0, signupLock ?? 0));
  }

  if (f.activeAccount) return status('registered', '登録が完了しています', f.activeAccount.createdAt);

  const p = f.pendingSignup;
  if (p && p.codeCreatedAt !== null && p.codeExpiresAt !== null && p.codeConsumedAt === null && p.codeVoidedAt === null && p.codeExpiresAt > now) {
    return status('code_sent', '認証コードを送信済みで、入力を待っています', p.codeCreatedAt, p.codeExpiresAt);
  }

  const closed = f.newestAccount?.status === 'closed' ? f.newestAccount : undefined;
  if (closed) {
    const reason =
      closed.closedReason === 'yearly_reset'
        ? '年度切り替えでID・パスワードがリセットされました'
        : closed.closedReason === 'staff'
          ? '管理者により停止'
          : 'アカウントが停止されています';
    return status('reset', reason, closed.closedAt);
  }

  if (p && p.codeCreatedAt !== null) {
    const why = p.codeVoidedAt !== null ? '無効になりました' : p.codeConsumedAt !== null ? '使用済みです' : '有効期限が切れています';
    return status('unregistered', `登録の途中です（送信した認証コードは${why}）`, p.codeCreatedAt);
  }
  return status('unregistered', 'まだ登録されていません', null);
}
