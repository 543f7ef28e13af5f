import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';

/**
 * What the call-center console records. The table refuses UPDATE and DELETE
 * (triggers in 0001_init.sql); this module only ever inserts.
 */
export type AuditAction =
  | 'signin'
  | 'signin_failed'
  | 'signout'
  | 'password_set'
  | 'totp_enrolled'
  | 'search'
  | 'view_member'
  | 'send_userid'
  | 'unlock'
  | 'close_account'
  | 'view_audit'
  | 'export_audit'
  | 'unlock_staff'
  | 'staff_add'
  | 'staff_disable'
  | 'staff_enable'
  | 'staff_unlock'
  | 'staff_reset_password'
  | 'staff_reset_authenticator'
  | 'reveal_email'
  | 'registry_email_change'
  | 'refused'
  | 'view_survey_case'
  | 'view_survey_document'
  | 'survey_document_accept'
  | 'survey_document_reject'
  | 'survey_decide'
  | 'survey_request_documents'
  | 'survey_return'
  | 'survey_complete'
  | 'export_survey'
  | 'purge_survey_documents'
  | 'yearly_reset';

export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  signin: 'ログイン',
  signin_failed: 'ログイン失敗',
  signout: 'ログアウト',
  password_set: 'パスワード設定',
  totp_enrolled: '認証アプリ登録',
  search: '加入者検索',
  view_member: '加入者情報の表示',
  send_userid: 'ユーザーID通知メール送信',
  unlock: 'ロック解除',
  close_account: 'アカウント停止',
  view_audit: '監査ログの表示',
  export_audit: '監査ログのCSV出力',
  unlock_staff: 'スタッフのロック解除',
  // Staff accounts are run from the console's team page and from the command line alike:
  // the actor ("(コマンド)" or a supervisor) says which.
  staff_add: 'スタッフ追加',
  staff_disable: 'スタッフ利用停止',
  staff_enable: 'スタッフ利用再開',
  staff_unlock: 'スタッフのロック解除',
  staff_reset_password: 'スタッフのパスワード再発行',
  staff_reset_authenticator: 'スタッフの認証アプリ再登録',
  reveal_email: 'メールアドレスの全桁表示',
  registry_email_change: '名簿のメールアドレス変更',
  refused: '拒否・担当外の要求',
  view_survey_case: '資格調査ケースの表示',
  view_survey_document: '資格調査書類の表示',
  survey_document_accept: '資格調査書類の確認',
  survey_document_reject: '資格調査書類の差し戻し',
  survey_decide: '資格調査の判定',
  survey_request_documents: '資格調査の追加書類依頼',
  survey_return: '資格調査の差し戻し',
  survey_complete: '資格調査の審査完了',
  export_survey: '資格調査のCSV出力',
  purge_survey_documents: '資格調査書類の削除（保存期間経過）',
  yearly_reset: '年度替わりのアカウントリセット（コマンド）',
};

export function auditActionLabel(action: string): string {
  return (AUDIT_ACTION_LABELS as Record<string, string>)[action] ?? action;
}

export interface AuditEntry {
  /** NULL for a failed sign-in with an unknown login ID and for the command line. */
  staffId: number | null;
  staffLogin: string;
  clientIp: string;
  action: AuditAction;
  query?: string | null;
  memberId?: number | null;
  reason?: string | null;
  detail?: string | null;
}

/** Who runs the command line, as the audit log names them. */
export const CLI_ACTOR = { staffId: null, staffLogin: '(コマンド)', clientIp: 'cli' } as const;

// Long free text (a typed login ID, a reason) is cut rather than refused: the row must be written.
const MAX = 500;
const cut = (v: string | null | undefined): string | null => (v == null ? null : v.slice(0, MAX));

/** Appends one row. Call it inside the transaction of the change it records. */
export function recordAudit(db: Db, clock: Clock, entry: AuditEntry): number {
  const result = db
    .prepare(
      `INSERT INTO audit_log (at, staff_id, staff_login, client_ip, action, query, member_id, reason, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      clock.now(),
      entry.staffId,
      entry.staffLogin.slice(0, 100),
      entry.clientIp.slice(0, 100),
      entry.action,
      cut(entry.query),
      entry.memberId ?? null,
      cut(entry.reason),
      cut(entry.detail),
    );
  return Number(result.lastInsertRowid);
}
