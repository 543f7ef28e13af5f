import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE, HOUR } from '../../src/lib/clock.js';
import { TestAgent, visibleText } from '../support/agent.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { makeAccountRow, makeInsurer, makeMember } from '../support/factories.js';
import { readKanaVectors } from '../support/kana-vectors.js';
import { identityFields, submitIdentity } from '../support/member-flows.js';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
});
afterEach(() => ctx.close());

const NO_MATCH = '入力内容に誤りがあります';

const attempts = (memberId: number | null) => ctx.readers.attemptsOfMember(memberId);

describe('the identity check (signup step 1)', () => {
  it('accepts every spelling of the kana vectors against a registry row with the same primary or variant key', async () => {
    const vectors = readKanaVectors();
    expect(vectors.length).toBeGreaterThanOrEqual(25);
    const insurer = makeInsurer(ctx.db, ctx.clock);
    // Each vector's input is a registered name; every input with the same key is typed against it.
    const registered = vectors.map((v) => ({ v, member: makeMember(ctx.db, ctx.clock, insurer, { nameKana: v.input }) }));
    let pairs = 0;
    for (const { v: reg, member } of registered) {
      for (const typed of vectors.filter((t) => t.primary === reg.primary || t.variant === reg.variant)) {
        const agent = new TestAgent(ctx.app);
        const res = await submitIdentity(agent, identityFields(insurer, member, { nameKana: typed.input }));
        expect(res.status, `${typed.input} typed for ${reg.input}`).toBe(303);
        expect(res.headers.location).toBe('/portal/signup/account');
        pairs += 1;
      }
    }
    expect(pairs).toBeGreaterThan(vectors.length); // the seed's spellings match each other, not only themselves
    expect(ctx.readers.count('attempts', 'success = 1')).toBe(pairs);
  });

  it('refuses a name whose keys differ, with the generic message', async () => {
    const vectors = readKanaVectors();
    const insurer = makeInsurer(ctx.db, ctx.clock);
    for (const reg of vectors) {
      const other = vectors.find((t) => t.primary !== reg.primary && t.variant !== reg.variant)!;
      const member = makeMember(ctx.db, ctx.clock, insurer, { nameKana: reg.input });
      const agent = new TestAgent(ctx.app);
      const res = await submitIdentity(agent, identityFields(insurer, member, { nameKana: other.input }));
      expect(res.status, `${other.input} typed for ${reg.input}`).toBe(400);
      expect(visibleText(res.text)).toContain(NO_MATCH);
    }
  });

  it('folds what members type: upper-case and full-width insurer code, full-width digits, hyphens, spaces, leading zeros', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock, { code: 'ungkenpo' });
    const member = makeMember(ctx.db, ctx.clock, insurer, { symbol: '1001', number: '12' });
    const agent = new TestAgent(ctx.app);
    const res = await submitIdentity(agent, identityFields(insurer, member, {
      insurerCode: ' ＵＮＧＫＥＮＰＯ ', symbol: '１０－０１', number: '0 0１２', birthMonth: '04', birthDay: '01',
    }));
    expect(res).toRedirectTo('/portal/signup/account');
  });

  it('answers any mismatch with one generic message that names no field, and counts it', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const cases: Record<string, string>[] = [
      { birthDay: '2' },
      { nameKana: 'ホケン タロウ' },
      { number: '99999' },
      { symbol: '7' },
      { insurerCode: 'nosuchkenpo' },
    ];
    const texts: string[] = [];
    for (const overrides of cases) {
      const agent = new TestAgent(ctx.app);
      const res = await submitIdentity(agent, identityFields(insurer, member, overrides));
      expect(res.status).toBe(400);
      const text = visibleText(res.text);
      expect(text).toContain(NO_MATCH);
      expect(res.text).not.toContain('aria-invalid="true"'); // no field is singled out
      texts.push(text.slice(text.indexOf('入力内容をご確認ください'), text.indexOf('入力内容をご確認ください') + 120));
    }
    expect(new Set(texts).size).toBe(1); // the very same answer whichever field was wrong
    // Failures against the record carry its id; unknown cards are counted against the address only.
    expect(attempts(member.id).map((a) => a.success)).toEqual([0, 0]);
    expect(attempts(null)).toHaveLength(3);
    expect(ctx.readers.count('signup_registrations')).toBe(0);
  });

  it('tells a member who lost eligibility to contact the society, naming its phone', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock, { name: '喪失テスト健康保険組合', office_phone: '03-9999-0000' });
    const member = makeMember(ctx.db, ctx.clock, insurer, { status: 'lost' });
    const agent = new TestAgent(ctx.app);
    const res = await submitIdentity(agent, identityFields(insurer, member));
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('資格を喪失しているため');
    expect(text).toContain('喪失テスト健康保険組合（TEL 03-9999-0000');
    expect((await agent.get('/portal/signup/account')).headers.location).toBe('/portal/signup?reason=start');
  });

  it('tells a member whose lost record is typed wrongly only the generic message', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const member = makeMember(ctx.db, ctx.clock, insurer, { status: 'lost' });
    const res = await submitIdentity(new TestAgent(ctx.app), identityFields(insurer, member, { birthDay: '9' }));
    expect(visibleText(res.text)).toContain(NO_MATCH);
    expect(visibleText(res.text)).not.toContain('喪失');
  });

  it('sends a member who already registered this year to login and the forgotten-ID and password pages', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const member = makeMember(ctx.db, ctx.clock, insurer);
    makeAccountRow(ctx.db, { memberId: member.id, loginId: 'kenpo-user', email: 'a@example.com', at: ctx.clock.now() });
    const agent = new TestAgent(ctx.app);
    const res = await submitIdentity(agent, identityFields(insurer, member));
    expect(res.status).toBe(200);
    expect(visibleText(res.text)).toContain('今年度の初回登録がすでに完了しています');
    for (const href of ['/portal/', '/portal/userid/forgot', '/portal/password/forgot']) expect(res.text).toContain(`href="${href}"`);
    expect((await agent.get('/portal/signup/account')).headers.location).toBe('/portal/signup?reason=start');
  });

  it('lets a member whose account the yearly reset closed sign up again', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const member = makeMember(ctx.db, ctx.clock, insurer);
    makeAccountRow(ctx.db, { memberId: member.id, loginId: 'last-year', email: 'a@example.com', at: ctx.clock.now(), status: 'closed', closedReason: 'yearly_reset' });
    const res = await submitIdentity(new TestAgent(ctx.app), identityFields(insurer, member));
    expect(res.headers.location).toBe('/portal/signup/account');
  });
});

describe('the per-record lock', () => {
  it('locks the record at the 5th failure in 30 minutes, answering exactly like a made-up card, and lifts after 30 minutes', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock, { call_center_phone: '0120-555-777' });
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const agent = new TestAgent(ctx.app);
    // What a made-up 記号・番号 of the same insurer gets: the one answer nothing may differ from.
    const madeUp = await submitIdentity(agent, identityFields(insurer, member, { number: '999999' }));
    const answer = { status: madeUp.status, text: visibleText(madeUp.text) };
    expect(answer.status).toBe(400);
    expect(answer.text).toContain(NO_MATCH);
    expect(answer.text).toContain('誤りが続くと、安全のため本人確認を30分間停止します');
    expect(answer.text).toContain('コールセンター');
    expect(answer.text).toContain('0120-555-777');
    for (let i = 1; i <= 5; i++) {
      const res = await submitIdentity(agent, identityFields(insurer, member, { birthDay: '2' }));
      expect({ status: res.status, text: visibleText(res.text) }).toEqual(answer);
      ctx.clock.advance(MINUTE);
    }
    ctx.clock.advance(-MINUTE);
    const lockedUntil = ctx.readers.signupLockedUntil(member.id);
    expect(lockedUntil).toBe(ctx.clock.now() + 30 * MINUTE);
    // The call center learns what did not match; the member never does.
    expect(ctx.db.prepare('SELECT mismatch FROM attempts WHERE member_id = ? ORDER BY id').pluck().all(member.id)).toEqual(Array(5).fill('birthdate'));

    // Even the right answer is refused while locked, exactly like a made-up card; it counts as a failure.
    ctx.clock.advance(29 * MINUTE);
    const during = await submitIdentity(agent, identityFields(insurer, member));
    expect({ status: during.status, text: visibleText(during.text) }).toEqual(answer);
    expect(attempts(member.id)).toHaveLength(6);

    ctx.clock.advance(1 * MINUTE + 1);
    const after = await submitIdentity(agent, identityFields(insurer, member));
    expect(after).toRedirectTo('/portal/signup/account');
  });

  it('records what did not match for the call center: the kana name, or both', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const member = makeMember(ctx.db, ctx.clock, insurer);
    await submitIdentity(new TestAgent(ctx.app), identityFields(insurer, member, { nameKana: 'ホケン タロウ' }));
    await submitIdentity(new TestAgent(ctx.app), identityFields(insurer, member, { nameKana: 'ホケン タロウ', birthDay: '2' }));
    expect(ctx.db.prepare('SELECT mismatch FROM attempts WHERE member_id = ? ORDER BY id').pluck().all(member.id)).toEqual(['name', 'both']);
  });

  it('does not lock for failures spread over more than 30 minutes', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const member = makeMember(ctx.db, ctx.clock, insurer);
    for (let i = 0; i < 4; i++) await submitIdentity(new TestAgent(ctx.app), identityFields(insurer, member, { birthDay: '2' }));
    ctx.clock.advance(30 * MINUTE + 1);
    const res = await submitIdentity(new TestAgent(ctx.app), identityFields(insurer, member, { birthDay: '2' }));
    expect(res.status).toBe(400);
    expect(ctx.readers.signupLockedUntil(member.id)).toBeNull();
  });

  it('counts only failures after a supervisor unlock', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const member = makeMember(ctx.db, ctx.clock, insurer);
    for (let i = 0; i < 5; i++) await submitIdentity(new TestAgent(ctx.app), identityFields(insurer, member, { birthDay: '2' }));
    expect(ctx.readers.signupLockedUntil(member.id)).not.toBeNull();
    ctx.clock.advance(MINUTE);
    ctx.db.prepare('UPDATE members SET signup_locked_until = NULL, signup_unlocked_at = ? WHERE id = ?').run(ctx.clock.now(), member.id);
    ctx.clock.advance(1);
    const res = await submitIdentity(new TestAgent(ctx.app), identityFields(insurer, member, { birthDay: '2' }));
    expect(res.status).toBe(400); // the 6th failure in 30 minutes, but the 1st since the unlock
    expect(ctx.readers.signupLockedUntil(member.id)).toBeNull();
    const ok = await submitIdentity(new TestAgent(ctx.app), identityFields(insurer, member));
    expect(ok.status).toBe(303);
  });

  it('counts forgotten-ID failures and signup failures together against the record', () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const identity = ctx.deps.services.identity;
    const wrong = { insurerCode: insurer.code, symbol: member.symbol, number: member.number, birthDate: '1985-04-02', nameKana: 'ケンポ ショウコ' };
    for (let i = 0; i < 4; i++) {
      const purpose = i % 2 === 0 ? 'userid_forgot' : 'identity';
      expect(identity.check(wrong, { clientIp: '192.0.2.1', purpose }).outcome).toBe('no_match');
    }
    // The 5th failure locks the record, and says no more than any other failure.
    expect(identity.check(wrong, { clientIp: '192.0.2.1', purpose: 'userid_forgot' }).outcome).toBe('no_match');
    expect(attempts(member.id).map((a) => a.kind)).toEqual(['userid_forgot', 'identity', 'userid_forgot', 'identity', 'userid_forgot']);
    expect(ctx.db.prepare('SELECT signup_locked_until FROM members WHERE id = ?').pluck().get(member.id)).toBe(ctx.clock.now() + 30 * MINUTE);
    const right = { ...wrong, birthDate: member.birth_date };
    expect(identity.check(right, { clientIp: '192.0.2.9', purpose: 'identity' })).toEqual({ outcome: 'no_match' });
  });
});

describe('the per-address throttle', () => {
  it('refuses an address after 100 failures in an hour, with a 429 message, and lets it try again an hour later', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const member = makeMember(ctx.db, ctx.clock, insurer);
    const agent = new TestAgent(ctx.app);
    await agent.get('/portal/signup');
    for (let i = 0; i < 100; i++) {
      // Unknown card numbers: no record gets locked, only the address counts.
      const res = await agent.post('/portal/signup', identityFields(insurer, member, { number: String(50_000 + i) }));
      expect(res.status).toBe(400);
    }
    const refused = await agent.post('/portal/signup', identityFields(insurer, member));
    expect(refused.status).toBe(429);
    expect(visibleText(refused.text)).toContain('一時的に受付を停止しています');
    expect(ctx.readers.count('attempts')).toBe(100); // refusals are not recorded as more failures

    ctx.clock.advance(HOUR + 1);
    await agent.get('/portal/signup'); // the idle session ran out meanwhile: a fresh page and token
    const later = await agent.post('/portal/signup', identityFields(insurer, member));
    expect(later.status).toBe(303);
  });

  it('never limits successes from one address (a company office shares one)', async () => {
    const insurer = makeInsurer(ctx.db, ctx.clock);
    const members = Array.from({ length: 110 }, () => makeMember(ctx.db, ctx.clock, insurer));
    const agent = new TestAgent(ctx.app);
    for (const member of members) {
      await agent.get('/portal/signup');
      const res = await agent.post('/portal/signup', identityFields(insurer, member));
      expect(res.status).toBe(303);
    }
    expect(ctx.readers.count('attempts', 'success = 1')).toBe(110);
  });
});
