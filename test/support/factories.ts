import type { Db } from '../../src/db/database.js';
import { createAccountQueries } from '../../src/features/accounts/queries.js';
import { createEmailCodeQueries } from '../../src/features/email-codes/queries.js';
import { createAttemptLedger, type AttemptKind } from '../../src/features/attempts/service.js';
import { createIdentityQueries } from '../../src/features/identity/queries.js';
import { createRecoveryQueries } from '../../src/features/recovery/queries.js';
import { insertInsurer, type Insurer } from '../../src/features/registry/insurers.js';
import { insertMember, type Member, type NewMember } from '../../src/features/registry/members.js';
import { createSignupQueries } from '../../src/features/signup/queries.js';
import { countStaffFailure } from '../../src/features/staff/queries.js';
import { createTermsQueries } from '../../src/features/terms/queries.js';
import { createTermsService } from '../../src/features/terms/service.js';
import type { Clock } from '../../src/lib/clock.js';
import { hashPassword } from '../../src/lib/passwords.js';
import { enqueueMail, markFailed, markSent } from '../../src/mail/outbox.js';

/**
 * Small factories for the rows a test starts from. Each calls the function of
 * src/ that writes that row in the product, so a change of schema is made once.
 */

let seq = 0;
const TEST_IP = '203.0.113.9';

export function makeInsurer(db: Db, clock: Clock, overrides: Partial<Omit<Insurer, 'id'>> = {}): Insurer {
  seq += 1;
  return insertInsurer(
    db,
    {
      code: `kenpo${seq}`,
      name: `テスト${seq}健康保険組合`,
      call_center_phone: '0120-111-222',
      call_center_hours: '平日 9:00〜18:00',
      call_center_email: 'help@example.co.jp',
      office_phone: '03-1111-2222',
      office_hours: '平日 9:30〜17:30',
      ...overrides,
    },
    clock.now(),
  );
}

export function makeMember(db: Db, clock: Clock, insurer: Insurer, overrides: Partial<Omit<NewMember, 'insurerId'>> = {}): Member {
  seq += 1;
  return insertMember(
    db,
    {
      insurerId: insurer.id,
      symbol: '100',
      number: String(seq),
      birthDate: '1985-04-01',
      name: '健保 祥子',
      nameKana: 'ケンポ ショウコ',
      ...overrides,
    },
    clock.now(),
  );
}

export interface AccountRowOptions {
  memberId: number;
  loginId: string;
  email: string;
  /** When the account was made (and closed, for a closed one). */
  at: number;
  /** A stored hash; a made-up one when the test never logs in with a password. */
  passwordHash?: string;
  status?: 'active' | 'closed';
  closedReason?: string;
  lockedUntil?: number | null;
  failedLogins?: number;
  lastLoginAt?: number | null;
}

/** An account as signup leaves it, then moved into the state asked for (locked, closed, logged in before). */
export function makeAccountRow(db: Db, o: AccountRowOptions): number {
  const passwordHash = o.passwordHash ?? `$argon2id$v=19$m=19456,t=2,p=1$SALTSALT${o.loginId}$HASHHASHHASH`;
  if (o.status === 'closed') return insertClosedAccount(db, { ...o, passwordHash });
  const login = createAccountQueries(db);
  const id = login.insert({ memberId: o.memberId, loginId: o.loginId, passwordHash, email: o.email, now: o.at });
  if (o.lastLoginAt) login.recordSuccess(id, o.lastLoginAt);
  if (o.failedLogins || o.lockedUntil) login.setFailures(id, o.failedLogins ?? 0, o.lockedUntil ?? null);
  return id;
}

/**
 * A closed account kept as history. The product only ever closes an active account, and a
 * member has at most one of those (a partial unique index), so a member with an active
 * account and last year's closed one can only be set up by writing the closed row itself.
 */
function insertClosedAccount(db: Db, o: AccountRowOptions & { passwordHash: string }): number {
  const result = db
    .prepare(
      `INSERT INTO accounts (member_id, login_id, password_hash, email, status, created_at, closed_at, closed_reason)
       VALUES (?, ?, ?, ?, 'closed', ?, ?, ?)`,
    )
    .run(o.memberId, o.loginId, o.passwordHash, o.email, o.at, o.at, o.closedReason ?? 'yearly_reset');
  return Number(result.lastInsertRowid);
}

/** Locks an account as `failedLogins` wrong passwords in a row do. */
export function lockAccount(db: Db, accountId: number, until: number, failedLogins = 5): void {
  createAccountQueries(db).setFailures(accountId, failedLogins, until);
}

/** Closes an active account (a yearly reset, or `staff` as a supervisor's closing records it). */
export function closeAccount(db: Db, accountId: number, at: number, reason: 'yearly_reset' | 'staff' = 'yearly_reset'): void {
  createAccountQueries(db).close(accountId, at, reason, null);
}

/** Locks a member's record for signup until `until`, as 5 failed identity checks do. */
export function lockSignup(db: Db, memberId: number, until: number, now: number): void {
  createIdentityQueries(db).lockMember(memberId, until, now);
}

/** Locks a staff account as 5 failed sign-ins in a row do. */
export function lockStaff(db: Db, staffId: number, now: number): void {
  for (let i = 0; i < 5; i++) countStaffFailure(db, staffId, now, 5);
}

export interface TestAccount {
  id: number;
  loginId: string;
  password: string;
  email: string;
  member: Member;
  insurer: Insurer;
}

/** An account a test can log in with: a real argon2id hash of `password`. */
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
  const id = makeAccountRow(db, {
    memberId: member.id,
    loginId,
    email,
    at: clock.now(),
    passwordHash: await hashPassword(password),
    status: o.status,
    closedReason: o.closedReason,
  });
  return { id, loginId, password, email, member, insurer };
}

/** A signup waiting at the code step: the registration and its open code (hash made up). */
export function makePendingSignup(
  db: Db,
  o: { memberId: number; loginId: string; email: string; at: number; codeExpiresAt: number },
): { registrationId: number; codeHash: string } {
  const registrationId = createSignupQueries(db).insertRegistration({
    memberId: o.memberId,
    loginId: o.loginId,
    passwordHash: `$argon2id$v=19$pendinghash${o.loginId}`,
    email: o.email,
    now: o.at,
  });
  const codeHash = `c0de${registrationId}`.padEnd(64, 'f');
  createEmailCodeQueries(db).insert({
    purpose: 'signup',
    memberId: o.memberId,
    registrationId,
    accountId: null,
    email: o.email,
    codeHash,
    createdAt: o.at,
    expiresAt: o.codeExpiresAt,
  });
  return { registrationId, codeHash };
}

/** One recorded attempt (identity check, login, code entry …), through the failure ledger that records every one. */
export function makeAttempt(
  db: Db,
  o: { kind: AttemptKind; memberId?: number; accountId?: number; at: number; success?: boolean; clientIp?: string },
): void {
  createAttemptLedger({ db, clock: { now: () => o.at } }).record({
    kind: o.kind, success: o.success ?? false, memberId: o.memberId, accountId: o.accountId, clientIp: o.clientIp ?? TEST_IP,
  });
}

/**
 * A mail in the outbox that the worker will not pick up: sent at `sentAt`, or
 * tried `attempts` times and failed with `lastError`.
 */
export function makeOutboxMail(
  db: Db,
  o: { kind: string; memberId: number; accountId?: number; to: string; at: number; sentAt?: number | null; attempts?: number; lastError?: string | null },
): number {
  const id = enqueueMail(db, { now: () => o.at }, {
    kind: o.kind,
    memberId: o.memberId,
    accountId: o.accountId ?? null,
    to: o.to,
    subject: '件名',
    text: '本文 123456',
    html: '<p>本文</p>',
  });
  const failures = (o.attempts ?? (o.lastError ? 1 : 0)) - (o.sentAt ? 1 : 0);
  for (let i = 0; i < failures; i++) markFailed(db, id, o.at + 10 ** 9, o.lastError ?? 'failed');
  if (o.sentAt) markSent(db, id, o.sentAt, undefined, false);
  else if (failures === 0) markFailed(db, id, o.at + 10 ** 9, 'held for the test');
  return id;
}

/** Terms version `version` of an insurer, accepted by `acceptedBy` when given. */
export function makeTerms(db: Db, o: { insurerId: number; version: number; at: number; acceptedBy?: number }): number {
  const terms = createTermsQueries(db);
  const versionId = terms.insertVersion({ insurerId: o.insurerId, version: o.version, markdown: '# 規約', now: o.at });
  if (o.acceptedBy !== undefined) terms.insertAcceptance({ accountId: o.acceptedBy, versionId, now: o.at, clientIp: TEST_IP });
  return versionId;
}

/** An open password-reset link (30 minutes) for an account. */
export function makePasswordReset(db: Db, o: { accountId: number; at: number; tokenHash: string }): number {
  return createRecoveryQueries(db).insertReset({ accountId: o.accountId, tokenHash: o.tokenHash, now: o.at, expiresAt: o.at + 30 * 60_000 });
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
