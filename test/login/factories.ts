import type { Db } from '../../src/db/database.js';
import type { Clock } from '../../src/lib/clock.js';
import { hashPassword } from '../../src/lib/passwords.js';
import type { Insurer } from '../../src/features/registry/insurers.js';
import type { Member } from '../../src/features/registry/members.js';
import { createTermsService } from '../../src/features/terms/service.js';
import { makeInsurer, makeMember } from '../helpers/factories.js';
import type { TestAgent } from '../helpers/agent.js';
import type { TestContext } from '../helpers/app.js';
import { cli } from '../helpers/cli.js';

export { cli };

let seq = 0;

export interface TestAccount {
  id: number;
  loginId: string;
  password: string;
  email: string;
  member: Member;
  insurer: Insurer;
}

/** An account row inserted directly (as signup would leave it), with a real argon2id hash. */
export async function makeAccount(
  db: Db,
  clock: Clock,
  o: {
    insurer?: Insurer;
    member?: Member;
    memberName?: string;
    loginId?: string;
    password?: string;
    email?: string;
    status?: 'active' | 'closed';
    closedReason?: string;
  } = {},
): Promise<TestAccount> {
  seq += 1;
  const insurer = o.insurer ?? makeInsurer(db, clock);
  const member = o.member ?? makeMember(db, clock, insurer, o.memberName ? { name: o.memberName } : {});
  const loginId = o.loginId ?? `member${seq}x`;
  const password = o.password ?? `Kenpo#${seq}pass`;
  const email = o.email ?? `member${seq}@example.jp`;
  const status = o.status ?? 'active';
  const now = clock.now();
  const id = Number(
    db
      .prepare(
        `INSERT INTO accounts (member_id, login_id, password_hash, email, status, created_at, closed_at, closed_reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(member.id, loginId, await hashPassword(password), email, status, now,
        status === 'closed' ? now : null, status === 'closed' ? (o.closedReason ?? 'yearly_reset') : null).lastInsertRowid,
  );
  return { id, loginId, password, email, member, insurer };
}

/** Publishes a terms version for the insurer (as `portal terms publish` does). */
export function publishTerms(db: Db, clock: Clock, insurer: Insurer, markdown = '# 利用規約\n\n第1条 テスト'): number {
  return createTermsService({ db, clock }).publish(insurer.id, markdown).id;
}

/** Records that the account accepted the insurer's newest terms, so my page opens directly. */
export function acceptLatestTerms(db: Db, clock: Clock, account: TestAccount): void {
  const terms = createTermsService({ db, clock });
  const latest = terms.latest(account.insurer.id);
  if (latest) terms.accept({ accountId: account.id, insurerId: account.insurer.id, versionId: latest.id, clientIp: 'test' });
}

/** Opens the login page and posts the form, as a member would. */
export async function logIn(agent: TestAgent, loginId: string, password: string, next?: string) {
  await agent.get(next ? `/portal/?next=${encodeURIComponent(next)}` : '/portal/');
  return agent.post('/portal/login', { loginId, password, ...(next ? { next } : {}) });
}

export function accountRow(db: Db, id: number) {
  return db
    .prepare(
      `SELECT status, email, failed_logins, locked_until, last_login_at, previous_login_at, password_hash,
         closed_at, closed_reason FROM accounts WHERE id = ?`,
    )
    .get(id) as {
    status: string;
    email: string;
    failed_logins: number;
    locked_until: number | null;
    last_login_at: number | null;
    previous_login_at: number | null;
    password_hash: string;
    closed_at: number | null;
    closed_reason: string | null;
  };
}

export function loginAttempts(db: Db, accountId: number | null) {
  return db
    .prepare(`SELECT success, account_id, client_ip FROM attempts WHERE kind = 'login' AND account_id IS ? ORDER BY id`)
    .all(accountId) as { success: number; account_id: number | null; client_ip: string }[];
}

export function outboxFor(db: Db, accountId: number) {
  return db
    .prepare('SELECT kind, to_address, subject, member_id, account_id, sensitive FROM outbox WHERE account_id = ? ORDER BY id')
    .all(accountId) as { kind: string; to_address: string; subject: string; member_id: number; account_id: number; sensitive: number }[];
}

