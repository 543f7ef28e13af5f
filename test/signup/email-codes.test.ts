import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/database.js';
import type { EmailCodeService } from '../../src/features/email-codes/service.js';
import type { Insurer } from '../../src/features/registry/insurers.js';
import type { Member } from '../../src/features/registry/members.js';
import { MINUTE, SECOND } from '../../src/lib/clock.js';
import { keyedHasher, sha256 } from '../../src/lib/tokens.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeAccountRow, makeInsurer, makeMember } from '../support/factories.js';
import { latestMail } from '../support/member-flows.js';

let ctx: TestContext;
let insurer: Insurer;
let member: Member;
let accountId: number;
let codes: EmailCodeService;
beforeEach(async () => {
  ctx = await createTestContext();
  insurer = makeInsurer(ctx.db, ctx.clock, { name: 'U-NEXT HOLDINGS健康保険組合', call_center_phone: '0120-000-123' });
  member = makeMember(ctx.db, ctx.clock, insurer);
  accountId = makeAccountRow(ctx.db, { memberId: member.id, loginId: 'kenpo-user', email: 'old@example.com', at: ctx.clock.now() });
  codes = ctx.deps.services.emailCodes;
});
afterEach(() => ctx.close());

function issueChange(email = 'new@example.com') {
  const issued = inTransaction(ctx.db, () => codes.issue({ purpose: 'email_change', member, insurer, email, memberName: member.name, accountId }));
  if (!issued.ok) throw new Error('the hourly cap refused the code');
  return issued;
}

async function mailedCode(to: string, title: string): Promise<string> {
  const mail = await latestMail(ctx, to, title);
  return /認証コード：(\d{6})/.exec(mail.text)![1]!;
}

describe('the e-mail code service (shared by signup and the e-mail change)', () => {
  it('stores a code only as an HMAC under a key derived from the server secret, never as its plain SHA-256', async () => {
    const { codeId } = issueChange();
    const code = await mailedCode('new@example.com', '認証コード');
    const stored = ctx.db.prepare('SELECT code_hash FROM email_codes WHERE id = ?').pluck().get(codeId) as string;
    expect(stored).not.toBe(sha256(code));
    expect(stored).toBe(keyedHasher(ctx.deps.config.sessionSecret, 'email-code')(code));
    // Without the key, trying all million codes finds nothing.
    let found = false;
    for (let n = 0; n < 1_000_000 && !found; n++) found = sha256(String(n).padStart(6, '0')) === stored;
    expect(found).toBe(false);
  });

  it('refuses a 7th code for the same member and purpose within an hour, inside the issuing transaction', () => {
    for (let i = 0; i < 6; i++) {
      ctx.clock.advance(61 * SECOND);
      expect(issueChange().ok).toBe(true);
    }
    const seventh = inTransaction(ctx.db, () => codes.issue({ purpose: 'email_change', member, insurer, email: 'x@example.com', memberName: member.name, accountId }));
    expect(seventh).toMatchObject({ ok: false, reason: 'hourly_limit' });
    expect(ctx.db.prepare("SELECT count(*) FROM email_codes WHERE purpose = 'email_change'").pluck().get()).toBe(6);
    expect(ctx.db.prepare("SELECT count(*) FROM outbox WHERE kind = 'email_change_code'").pluck().get()).toBe(6);
  });

  it('mails an e-mail change code with its own title, marked sensitive with the member and account on the outbox row', async () => {
    const issued = issueChange();
    expect(issued.expiresAt).toBe(ctx.clock.now() + 10 * MINUTE);
    const row = ctx.db.prepare('SELECT kind, member_id, account_id, insurer_id, sensitive, to_address FROM outbox').get();
    expect(row).toEqual({ kind: 'email_change_code', member_id: member.id, account_id: accountId, insurer_id: insurer.id, sensitive: 1, to_address: 'new@example.com' });
    const mail = await latestMail(ctx, 'new@example.com', 'メールアドレス変更の認証コードのお知らせ');
    expect(mail.subject).toBe('【U-NEXT HOLDINGS健康保険組合】メールアドレス変更の認証コードのお知らせ');
    expect(mail.text).toContain('メールアドレス変更の認証コードをお知らせします');
    expect(mail.text).toContain('09:10まで有効');
    expect(mail.text).toContain('0120-000-123');
    expect(mail.html).toContain('09:10まで有効');
    expect(ctx.db.prepare('SELECT text_body, html_body FROM outbox').get()).toEqual({ text_body: null, html_body: null });
  });

  it('must be called inside the caller\u2019s transaction to issue or consume', () => {
    expect(() => codes.issue({ purpose: 'signup', member, insurer, email: 'a@example.com', memberName: member.name })).toThrow(/inside a transaction/);
    expect(() => codes.consume(1)).toThrow(/inside a transaction/);
  });

  it('verifies without consuming, and consumes a code only once', async () => {
    const { codeId } = issueChange();
    const code = await mailedCode('new@example.com', '認証コード');
    const first = codes.verify({ purpose: 'email_change', memberId: member.id, code, clientIp: '192.0.2.1' });
    expect(first).toEqual({ ok: true, code: { id: codeId, email: 'new@example.com', registration_id: null, account_id: accountId, expires_at: ctx.clock.now() + 10 * MINUTE } });
    expect(codes.verify({ purpose: 'email_change', memberId: member.id, code, clientIp: '192.0.2.1' }).ok).toBe(true);
    expect(inTransaction(ctx.db, () => codes.consume(codeId))).toBe(true);
    expect(inTransaction(ctx.db, () => codes.consume(codeId))).toBe(false);
    expect(codes.verify({ purpose: 'email_change', memberId: member.id, code, clientIp: '192.0.2.1' })).toEqual({ ok: false, reason: 'none' });
    expect(codes.current('email_change', member.id)).toBeUndefined();
  });

  it('keeps the purposes apart: a signup code neither voids nor answers for an e-mail change code', async () => {
    issueChange();
    const changeCode = await mailedCode('new@example.com', '認証コード');
    inTransaction(ctx.db, () => codes.issue({ purpose: 'signup', member, insurer, email: 'signup@example.com', memberName: member.name }));
    expect(codes.current('email_change', member.id)?.email).toBe('new@example.com');
    expect(codes.current('signup', member.id)?.email).toBe('signup@example.com');
    expect(codes.verify({ purpose: 'signup', memberId: member.id, code: changeCode, clientIp: 'x' }).ok).toBe(false);
    expect(codes.verify({ purpose: 'email_change', memberId: member.id, code: changeCode, clientIp: 'x' }).ok).toBe(true);
  });

  it('reports wrong, voided and expired codes and the hourly limit', async () => {
    issueChange();
    const code = await mailedCode('new@example.com', '認証コード');
    const bad = code === '000000' ? '000001' : '000000';
    const v = () => codes.verify({ purpose: 'email_change', memberId: member.id, code: bad, clientIp: 'x' });
    expect(v()).toEqual({ ok: false, reason: 'wrong', remainingTries: 4 });
    for (let i = 0; i < 3; i++) v();
    expect(v()).toEqual({ ok: false, reason: 'voided', remainingTries: 0 });
    expect(codes.current('email_change', member.id)).toBeUndefined();
    expect(codes.latest('email_change', member.id)).toMatchObject({ email: 'new@example.com', voided: true });

    ctx.clock.advance(61 * SECOND);
    expect(codes.resend({ purpose: 'email_change', member, insurer, memberName: member.name })).toMatchObject({ ok: true });
    ctx.clock.advance(10 * MINUTE);
    expect(codes.verify({ purpose: 'email_change', memberId: member.id, code: bad, clientIp: 'x' })).toEqual({ ok: false, reason: 'expired' });
  });

  it('resends to the address of the last code, keeping its account, and says none when there is nothing to resend', async () => {
    expect(codes.resend({ purpose: 'email_change', member, insurer, memberName: member.name })).toEqual({ ok: false, reason: 'none' });
    issueChange('first@example.com');
    expect(codes.resend({ purpose: 'email_change', member, insurer, memberName: member.name })).toEqual({ ok: false, reason: 'too_soon', retryAt: ctx.clock.now() + 60 * SECOND });
    ctx.clock.advance(60 * SECOND);
    expect(codes.resend({ purpose: 'email_change', member, insurer, memberName: member.name })).toEqual({ ok: true, expiresAt: ctx.clock.now() + 10 * MINUTE });
    const rows = ctx.db.prepare('SELECT email, account_id, voided_at IS NOT NULL AS voided FROM email_codes ORDER BY id').all();
    expect(rows).toEqual([
      { email: 'first@example.com', account_id: accountId, voided: 1 },
      { email: 'first@example.com', account_id: accountId, voided: 0 },
    ]);
  });

  it('draws a fresh code each time', () => {
    for (let i = 0; i < 40; i++) {
      ctx.clock.advance(11 * MINUTE); // under the hourly cap
      const issued = inTransaction(ctx.db, () => codes.issue({ purpose: 'signup', member, insurer, email: 'range@example.com', memberName: member.name }));
      expect(issued.ok).toBe(true);
    }
    const hashes = ctx.db.prepare("SELECT code_hash FROM email_codes WHERE purpose = 'signup'").pluck().all() as string[];
    expect(hashes.every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
    expect(new Set(hashes).size).toBeGreaterThan(35); // no fixed or repeating code
    expect(ctx.db.prepare("SELECT count(*) FROM email_codes WHERE purpose = 'signup' AND voided_at IS NULL").pluck().get()).toBe(1);
  });
});
