import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Insurer } from '../../src/features/registry/insurers.js';
import type { Member } from '../../src/features/registry/members.js';
import { clearStaffFailures } from '../../src/features/staff/queries.js';
import { MINUTE } from '../../src/lib/clock.js';
import { csrfTokenOf, TestAgent, visibleText, withoutCsrfTokens } from '../support/agent.js';
import { createTestContext, listen, type Listening, type TestContext } from '../support/app.js';
import { lockStaff, makeAccount, makeAccountRow, makeInsurer, makeMember, publishTerms } from '../support/factories.js';
import { allPostPaths, declaredRoutes, POST_ROUTES } from '../support/fuzz/routes.js';
import { GOOD_PASSWORD, identityFields } from '../support/member-flows.js';
import { sessionMaker, type SessionMaker } from '../support/sessions.js';
import { addStaff, NEW_PASSWORD, totpCode } from '../support/staff-flows.js';
import { createSurvey, importTargets } from '../survey/helpers.js';

/*
 * The security baseline (SECURITY.md), route by route: CSRF token and Origin on
 * every state-changing request, cookie flags in production, no answer that
 * tells whether a login ID exists, no redirect off the site.
 */

let ctx: TestContext;
let web: Listening;
let insurer: Insurer;
let sessions: SessionMaker;
let supervisor: Awaited<ReturnType<SessionMaker['enrolledStaff']>>;

beforeAll(async () => {
  ctx = await createTestContext({ LOG_LEVEL: 'warn' });
  web = await listen(ctx.app);
  insurer = makeInsurer(ctx.db, ctx.clock);
  publishTerms(ctx.db, ctx.clock, insurer);
  sessions = sessionMaker(ctx, web.server, insurer);
  supervisor = await sessions.enrolledStaff('sec-sv', 'supervisor');
}, 60_000);
afterAll(async () => {
  await web.close();
  await ctx.close();
});

/** Everything the database holds except the sessions table (a refused request may still touch its session). */
function snapshot(): string {
  const tables = ctx.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('sessions') AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  return JSON.stringify(tables.map((t) => [t, ctx.db.prepare(`SELECT * FROM "${t}"`).all()]));
}

/** A member with an active account (no real hash needed: staff actions never check it). */
function registeredMember(o: { lockedUntil?: number } = {}): Member {
  const m = makeMember(ctx.db, ctx.clock, insurer);
  makeAccountRow(ctx.db, { memberId: m.id, loginId: `sec-member-${m.id}`, email: `sec-member-${m.id}@example.jp`, at: ctx.clock.now(), lockedUntil: o.lockedUntil ?? null, failedLogins: o.lockedUntil ? 5 : 0 });
  return m;
}

interface Prepared {
  agent: TestAgent;
  path: string;
  /** A body the route accepts (so the one request let through shows the route really acts). */
  body: Record<string, string>;
}

let surveyId: number | undefined;
/** A signed-in member with a case in the insurer's open survey (one dependent), at `page`. */
async function surveyMember(page: string | ((dependentId: number) => string)) {
  surveyId ??= await createSurvey(ctx, insurer);
  const account = await makeAccount(ctx.db, ctx.clock, { insurer });
  const m = account.member;
  const imported = await importTargets(ctx, surveyId, [`${m.symbol},${m.number},1,健保 一郎,ケンポ イチロウ,1983-06-10,配偶者,`]);
  expect(imported.code, imported.err).toBe(0);
  const dependentId = ctx.db
    .prepare('SELECT d.id FROM survey_dependents d JOIN survey_cases c ON c.id = d.case_id WHERE c.member_id = ?')
    .pluck()
    .get(m.id) as number;
  const s = await sessions.signedIn(typeof page === 'string' ? page : page(dependentId), account);
  return { ...s, dependentId };
}

/**
 * A case in review with one received document, and the supervisor at its page (the review's
 * forms carry the token). The case is put in review directly: what is tested here is the
 * route's CSRF and Origin check, not the member's way there.
 */
async function caseInReview() {
  const member = await surveyMember('/portal/survey');
  const caseId = ctx.db.prepare('SELECT case_id FROM survey_dependents WHERE id = ?').pluck().get(member.dependentId) as number;
  ctx.db.prepare(`UPDATE survey_cases SET status = 'in_review', submitted_at = ?, first_submitted_at = ? WHERE id = ?`).run(ctx.clock.now(), ctx.clock.now(), caseId);
  const documentId = Number(
    ctx.db
      .prepare(`INSERT INTO survey_documents (case_id, dependent_id, kind, media_type, size, sha256, storage_key, state, uploaded_at)
        VALUES (?, ?, 'income_certificate', 'application/pdf', 10, '00', ?, 'received', ?)`)
      .run(caseId, member.dependentId, `securityreviewkey${member.dependentId}x`, ctx.clock.now()).lastInsertRowid,
  );
  const s = await sessions.staffSignedIn(supervisor);
  await s.agent.get(`/staff/survey/cases/${caseId}`);
  return { agent: s.agent, caseId, documentId, dependentId: member.dependentId };
}

/** One ready-to-act session per state-changing route. */
const cases: Record<string, () => Promise<Prepared>> = {
  '/portal/signup': async () => {
    const member = makeMember(ctx.db, ctx.clock, insurer);
    return { agent: await sessions.anonymous('/portal/signup'), path: '/portal/signup', body: identityFields(insurer, member) };
  },
  '/portal/signup/account': async () => ({
    agent: (await sessions.verifiedSignup()).agent,
    path: '/portal/signup/account',
    body: { loginId: 'sec-account', password: GOOD_PASSWORD, passwordConfirm: GOOD_PASSWORD, email: 'sec@example.com', emailConfirm: 'sec@example.com' },
  }),
  '/portal/signup/verify': async () => {
    const s = await sessions.atCodeStep();
    return { agent: s.agent, path: '/portal/signup/verify', body: { code: s.code } };
  },
  '/portal/signup/verify/resend': async () => {
    const s = await sessions.atCodeStep();
    ctx.clock.advance(MINUTE + 1000);
    await s.agent.get('/portal/signup/verify');
    return { agent: s.agent, path: '/portal/signup/verify/resend', body: {} };
  },
  '/portal/login': async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    return { agent: await sessions.anonymous('/portal/'), path: '/portal/login', body: { loginId: account.loginId, password: account.password } };
  },
  '/portal/logout': async () => ({ agent: (await sessions.signedIn()).agent, path: '/portal/logout', body: {} }),
  '/portal/terms': async () => {
    const s = await sessions.signedIn('/portal/terms');
    const version = String(ctx.db.prepare('SELECT max(id) FROM terms_versions WHERE insurer_id = ?').pluck().get(insurer.id));
    return { agent: s.agent, path: '/portal/terms', body: { agree: '1', version } };
  },
  '/portal/mypage/password': async () => {
    const s = await sessions.signedIn('/portal/mypage/password');
    return { agent: s.agent, path: '/portal/mypage/password', body: { currentPassword: s.account.password, newPassword: 'Other#2026y', newPasswordConfirm: 'Other#2026y' } };
  },
  '/portal/mypage/email': async () => ({
    agent: (await sessions.signedIn('/portal/mypage/email')).agent,
    path: '/portal/mypage/email',
    body: { email: 'sec-new@example.com', emailConfirm: 'sec-new@example.com' },
  }),
  '/portal/mypage/email/verify': async () => {
    const s = await sessions.pendingEmailChange();
    return { agent: s.agent, path: '/portal/mypage/email/verify', body: { code: s.code } };
  },
  '/portal/mypage/email/verify/resend': async () => {
    const s = await sessions.pendingEmailChange();
    ctx.clock.advance(MINUTE + 1000);
    await s.agent.get('/portal/mypage/email/verify');
    return { agent: s.agent, path: '/portal/mypage/email/verify/resend', body: {} };
  },
  '/portal/password/forgot': async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    return { agent: await sessions.anonymous('/portal/password/forgot'), path: '/portal/password/forgot', body: { loginId: account.loginId } };
  },
  '/portal/password/reset/:token': async () => {
    const s = await sessions.resetLink();
    return { agent: s.agent, path: s.path, body: { newPassword: 'Reset#2026z', newPasswordConfirm: 'Reset#2026z' } };
  },
  '/portal/userid/forgot': async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    return { agent: await sessions.anonymous('/portal/userid/forgot'), path: '/portal/userid/forgot', body: identityFields(insurer, account.member) };
  },
  '/staff/login': async () => ({
    agent: await sessions.anonymous('/staff/login'),
    path: '/staff/login',
    body: { loginId: supervisor.login, password: NEW_PASSWORD },
  }),
  '/staff/login/code': async () => {
    const s = await sessions.staffWaitingForCode(supervisor);
    return { agent: s.agent, path: '/staff/login/code', body: { code: totpCode(supervisor.secret, ctx.clock.now()) } };
  },
  '/staff/login/password': async () => ({
    agent: (await sessions.staffChoosingPassword()).agent,
    path: '/staff/login/password',
    body: { newPassword: NEW_PASSWORD, newPasswordConfirm: NEW_PASSWORD },
  }),
  '/staff/login/enrol': async () => {
    const s = await sessions.staffEnrolling();
    return { agent: s.agent, path: '/staff/login/enrol', body: { code: totpCode(s.secret, ctx.clock.now()) } };
  },
  '/staff/logout': async () => ({ agent: (await sessions.staffSignedIn(supervisor)).agent, path: '/staff/logout', body: {} }),
  '/staff/search/card': async () => ({
    agent: (await sessions.staffSignedIn(supervisor)).agent,
    path: '/staff/search/card',
    body: { insurerCode: insurer.code, symbol: '100', number: '1' },
  }),
  '/staff/search/kana': async () => ({
    agent: (await sessions.staffSignedIn(supervisor)).agent,
    path: '/staff/search/kana',
    body: { nameKana: 'ケンポ ショウコ', birthYear: '1985', birthMonth: '4', birthDay: '1' },
  }),
  '/staff/members/:id/userid-reminder': async () => {
    const m = registeredMember();
    const s = await sessions.staffSignedIn(supervisor);
    await s.agent.get(`/staff/members/${m.id}`);
    return { agent: s.agent, path: `/staff/members/${m.id}/userid-reminder`, body: { reason: '電話で本人確認済み' } };
  },
  '/staff/members/:id/unlock': async () => {
    const m = registeredMember({ lockedUntil: ctx.clock.now() + 10 * MINUTE });
    const s = await sessions.staffSignedIn(supervisor);
    await s.agent.get(`/staff/members/${m.id}`);
    return { agent: s.agent, path: `/staff/members/${m.id}/unlock`, body: { reason: '電話で本人確認済み' } };
  },
  '/staff/members/:id/close': async () => {
    const m = registeredMember();
    const s = await sessions.staffSignedIn(supervisor);
    await s.agent.get(`/staff/members/${m.id}`);
    return { agent: s.agent, path: `/staff/members/${m.id}/close`, body: { reason: '本人の申し出により' } };
  },
  '/staff/members/:id/email': async () => {
    const m = registeredMember();
    const s = await sessions.staffSignedIn(supervisor);
    await s.agent.get(`/staff/members/${m.id}`);
    return { agent: s.agent, path: `/staff/members/${m.id}/email`, body: {} };
  },
  '/staff/members/:id/registry-email': async () => {
    const m = registeredMember();
    const s = await sessions.staffSignedIn(supervisor);
    await s.agent.get(`/staff/members/${m.id}`);
    return { agent: s.agent, path: `/staff/members/${m.id}/registry-email`, body: { registryEmail: `sec-registry-${m.id}@example.jp`, reason: '受信できないと本人から電話' } };
  },
  '/staff/team': async () => {
    const s = await sessions.staffSignedIn(supervisor);
    await s.agent.get('/staff/team');
    return { agent: s.agent, path: '/staff/team', body: { staffLoginId: `sec-new-${Date.now()}`, role: 'operator', reason: '新任' } };
  },
  ...Object.fromEntries(
    (['reset-password', 'reset-authenticator', 'disable', 'enable'] as const).map((action) => [
      `/staff/team/:id/${action}`,
      async (): Promise<Prepared> => {
        const person = await sessions.enrolledStaff(`sec-${action}-${Date.now()}`, 'operator');
        if (action === 'enable') ctx.db.prepare('UPDATE staff SET disabled_at = ? WHERE id = ?').run(ctx.clock.now(), person.id);
        const s = await sessions.staffSignedIn(supervisor);
        await s.agent.get(`/staff/team/${person.id}`);
        return { agent: s.agent, path: `/staff/team/${person.id}/${action}`, body: { reason: '本人から依頼' } };
      },
    ]),
  ),
  '/portal/survey/dependents/:id': async () => {
    const s = await surveyMember((id) => `/portal/survey/dependents/${id}`);
    return { agent: s.agent, path: `/portal/survey/dependents/${s.dependentId}`, body: { continuation: 'remove', removalDate: '2026-05-01', removalReason: 'job' } };
  },
  '/portal/survey/submit': async () => ({ agent: (await surveyMember('/portal/survey/confirm')).agent, path: '/portal/survey/submit', body: { attest: '1' } }),
  '/portal/survey/withdraw': async () => ({ agent: (await surveyMember('/portal/survey')).agent, path: '/portal/survey/withdraw', body: {} }),
  '/portal/survey/documents': async () => {
    const s = await surveyMember('/portal/survey/documents');
    return { agent: s.agent, path: '/portal/survey/documents', body: { slot: `${s.dependentId}:income_certificate` } };
  },
  '/portal/survey/documents/:id/delete': async () => {
    const s = await surveyMember('/portal/survey/documents');
    const caseId = ctx.db.prepare('SELECT case_id FROM survey_dependents WHERE id = ?').pluck().get(s.dependentId) as number;
    const documentId = Number(
      ctx.db
        .prepare(`INSERT INTO survey_documents (case_id, dependent_id, kind, media_type, size, sha256, storage_key, state, uploaded_at)
          VALUES (?, ?, 'income_certificate', 'application/pdf', 10, '00', ?, 'received', ?)`)
        .run(caseId, s.dependentId, `securitytestkey${s.dependentId}x`, ctx.clock.now()).lastInsertRowid,
    );
    return { agent: s.agent, path: `/portal/survey/documents/${documentId}/delete`, body: {} };
  },
  '/staff/survey/documents/:id/accept': async () => {
    const c = await caseInReview();
    return { agent: c.agent, path: `/staff/survey/documents/${c.documentId}/accept`, body: {} };
  },
  '/staff/survey/documents/:id/reject': async () => {
    const c = await caseInReview();
    return { agent: c.agent, path: `/staff/survey/documents/${c.documentId}/reject`, body: { reason: '不鮮明' } };
  },
  '/staff/survey/cases/:id/dependents/:dep/decision': async () => {
    const c = await caseInReview();
    return { agent: c.agent, path: `/staff/survey/cases/${c.caseId}/dependents/${c.dependentId}/decision`, body: { decision: 'continue', seen: '0' } };
  },
  '/staff/survey/cases/:id/request-documents': async () => {
    const c = await caseInReview();
    return { agent: c.agent, path: `/staff/survey/cases/${c.caseId}/request-documents`, body: { message: '書類をお願いします', dueDate: '2099-01-31' } };
  },
  '/staff/survey/cases/:id/return': async () => {
    const c = await caseInReview();
    return { agent: c.agent, path: `/staff/survey/cases/${c.caseId}/return`, body: { message: '修正をお願いします' } };
  },
  '/staff/survey/cases/:id/complete': async () => {
    const c = await caseInReview();
    return { agent: c.agent, path: `/staff/survey/cases/${c.caseId}/complete`, body: {} };
  },
  '/staff/team/:id/unlock': async () => {
    const locked = await sessions.enrolledStaff(`sec-locked-${Date.now()}`, 'operator');
    lockStaff(ctx.db, locked.id, ctx.clock.now());
    const s = await sessions.staffSignedIn(supervisor);
    await s.agent.get('/staff/team');
    return { agent: s.agent, path: `/staff/team/${locked.id}/unlock`, body: { reason: '本人から依頼' } };
  },
};

describe('the list of state-changing routes', () => {
  it('matches the routes the sources declare, all of them POST', () => {
    const declared = declaredRoutes();
    expect(declared.filter((r) => r.method !== 'post')).toEqual([]);
    for (const group of POST_ROUTES) {
      const inFile = declared.filter((r) => r.file === group.file).map((r) => r.path);
      expect(inFile.sort(), group.file).toEqual([...group.paths].sort());
    }
    const listed = new Set(POST_ROUTES.map((g) => g.file));
    expect(declared.filter((r) => !listed.has(r.file))).toEqual([]);
    expect(Object.keys(cases).sort()).toEqual(allPostPaths().sort());
  });
});

describe('CSRF token and Origin on every state-changing route', () => {
  const foreign = 'https://evil.example';

  for (const route of allPostPaths()) {
    it(`POST ${route} is refused (403, nothing written) without a token, with another session's token, and from another site`, async () => {
      const { agent, path, body } = await cases[route]!();
      const token = csrfTokenOf(agent.lastPage);
      expect(token).not.toBe('');
      const otherToken = csrfTokenOf((await new TestAgent(web.server).get('/portal/')).text);
      await ctx.deliverMail(); // mails of the set-up go out now, not while the snapshot is compared
      const before = snapshot();
      const attempts = [
        { label: 'no token', send: () => agent.http.post(path).type('form').send(body) },
        { label: 'an empty token', send: () => agent.http.post(path).type('form').send({ ...body, _csrf: '' }) },
        { label: "another session's token", send: () => agent.http.post(path).type('form').send({ ...body, _csrf: otherToken }) },
        { label: 'two tokens', send: () => agent.http.post(path).type('form').send({ ...body, _csrf: [token, token] }) },
        { label: 'a foreign Origin', send: () => agent.http.post(path).set('Origin', foreign).type('form').send({ ...body, _csrf: token }) },
        { label: 'Origin null', send: () => agent.http.post(path).set('Origin', 'null').type('form').send({ ...body, _csrf: token }) },
        { label: 'a foreign Referer', send: () => agent.http.post(path).set('Referer', `${foreign}/page`).type('form').send({ ...body, _csrf: token }) },
      ];
      for (const attempt of attempts) {
        const res = await attempt.send();
        expect(res.status, `${route} with ${attempt.label}`).toBe(403);
        expect(visibleText(res.text)).toMatch(/ページの有効期限が切れました|このサイト以外の画面からの送信は受け付けられません/);
      }
      expect(snapshot(), `${route}: the database changed`).toBe(before);

      // The same request from this site with the page's token goes through: the refusals were not by accident.
      const allowed = await agent.http.post(path).set('Origin', web.url).type('form').send({ ...body, _csrf: token });
      expect(allowed.status, `${route} from this site`).not.toBe(403);
      expect(allowed.status).toBeLessThan(500);
    }, 30_000);
  }
});

describe('body size limits', () => {
  it('answers 413 to a 65 kB form and to 101 fields on every state-changing route, writing nothing', async () => {
    const agent = await sessions.anonymous('/portal/');
    const before = snapshot();
    for (const route of allPostPaths()) {
      const path = route.replace(':token', 'x'.repeat(43)).replace(':id', '1');
      const big = await agent.http.post(path).type('form').send(`_csrf=x&loginId=${'a'.repeat(65 * 1024)}`);
      expect(big.status, `${route} with 65 kB`).toBe(413);
      expect(visibleText(big.text)).toContain('入力内容が長すぎます');
      const many = await agent.http.post(path).type('form').send(Array.from({ length: 101 }, (_, i) => `f${i}=1`).join('&'));
      expect(many.status, `${route} with 101 fields`).toBe(413);
    }
    expect(snapshot()).toBe(before);
  });

  it('parses no other body type: JSON, text and multipart of 1 MB are refused without being read into memory', async () => {
    const agent = await sessions.anonymous('/portal/');
    const token = csrfTokenOf(agent.lastPage);
    const mb = 'a'.repeat(1024 * 1024);
    for (const [type, body] of [
      ['application/json', JSON.stringify({ _csrf: token, loginId: mb })],
      ['text/plain', `_csrf=${token}&loginId=${mb}`],
      ['multipart/form-data; boundary=zz', `--zz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n--zz--\r\n${mb}`],
    ] as const) {
      const res = await agent.http.post('/portal/login').set('Content-Type', type).send(body);
      expect(res.status, type).toBe(403);
    }
  });
});

describe('session cookies in production', () => {
  let prod: TestContext;
  let prodWeb: Listening;
  let prodInsurer: Insurer;
  beforeAll(async () => {
    prod = await createTestContext({ NODE_ENV: 'production', BASE_URL: 'https://portal.example.jp', TRUST_PROXY: '1', LOG_LEVEL: 'warn' });
    prodInsurer = makeInsurer(prod.db, prod.clock);
    prodWeb = await listen(prod.app);
  });
  afterAll(async () => {
    await prodWeb.close();
    await prod.close();
  });

  const overHttps = (path: string) => new TestAgent(prodWeb.server).http.get(path).set('X-Forwarded-Proto', 'https').set('Host', 'portal.example.jp');

  function cookie(res: { headers: Record<string, unknown> }, name: string): string[] {
    const all = (res.headers['set-cookie'] as string[] | undefined) ?? [];
    const line = all.find((c) => c.startsWith(`${name}=`));
    expect(line, `Set-Cookie ${name} in ${JSON.stringify(all)}`).toBeDefined();
    return line!.split(';').map((p) => p.trim());
  }

  const overHttpsPost = (path: string, cookies: string[], body: Record<string, string>) =>
    new TestAgent(prodWeb.server).http
      .post(path)
      .set('X-Forwarded-Proto', 'https')
      .set('Host', 'portal.example.jp')
      .set('Cookie', cookies.join('; '))
      .type('form')
      .send(body);

  const browserSession = (attrs: string[], path: string) => {
    expect(attrs).toEqual(expect.arrayContaining([`Path=${path}`, 'HttpOnly', 'Secure', 'SameSite=Lax']));
    expect(attrs.some((a) => /^(Domain|Expires|Max-Age)=/i.test(a))).toBe(false);
  };

  it('a page view sets only the CSRF cookie, __Host-portal-csrf: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, ends with the browser', async () => {
    const res = await overHttps('/portal/signup');
    expect(res.status).toBe(200);
    browserSession(cookie(res, '__Host-portal-csrf'), '/');
    expect((res.headers['set-cookie'] as unknown as string[]).some((c) => c.startsWith('__Host-portal='))).toBe(false);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000/);
  });

  it('the member session cookie, set once a session holds something, is __Host-portal with the same flags, and the CSRF cookie is drawn afresh', async () => {
    const member = makeMember(prod.db, prod.clock, prodInsurer);
    const page = await overHttps('/portal/signup');
    const csrf = cookie(page, '__Host-portal-csrf')[0]!;
    const res = await overHttpsPost('/portal/signup', [csrf], { _csrf: csrfTokenOf(page.text), ...identityFields(prodInsurer, member) });
    expect(res.status).toBe(303);
    browserSession(cookie(res, '__Host-portal'), '/');
    const rotated = cookie(res, '__Host-portal-csrf');
    browserSession(rotated, '/');
    expect(rotated[0]).not.toBe(csrf);
  });

  it('the staff cookies are __Secure-staff and __Secure-staff-csrf on Path=/staff (a __Host- cookie must have Path=/): Secure, HttpOnly, SameSite=Lax', async () => {
    const password = await addStaff(prod, 'cookie-check', 'operator');
    const page = await overHttps('/staff/login');
    expect(page.status).toBe(200);
    const csrf = cookie(page, '__Secure-staff-csrf');
    browserSession(csrf, '/staff');
    const res = await overHttpsPost('/staff/login', [csrf[0]!], { _csrf: csrfTokenOf(page.text), loginId: 'cookie-check', password });
    expect(res.status).toBe(303);
    browserSession(cookie(res, '__Secure-staff'), '/staff');
  });

  it('sets no session cookie at all over plain HTTP', async () => {
    const res = await new TestAgent(prodWeb.server).http.get('/portal/signup').set('Host', 'portal.example.jp');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('accepts a form from its own https origin and refuses the same form from another site', async () => {
    const page = await overHttps('/portal/password/forgot');
    const token = csrfTokenOf(page.text);
    // A Secure cookie: the test client (plain HTTP behind the "proxy") must be handed it explicitly.
    const session = cookie(page, '__Host-portal-csrf')[0]!;
    const post = (origin: string) =>
      new TestAgent(prodWeb.server).http
        .post('/portal/password/forgot')
        .set('X-Forwarded-Proto', 'https')
        .set('Host', 'portal.example.jp')
        .set('Cookie', session)
        .set('Origin', origin)
        .type('form')
        .send({ _csrf: token, loginId: 'someone' });
    expect((await post('https://evil.example')).status).toBe(403);
    expect((await post('http://portal.example.jp')).status).toBe(403);
    expect((await post('https://portal.example.jp')).status).toBe(200);
  });
});

describe('no answer tells whether a login ID exists', () => {
  /** The page as a person sees it, with the token and the values typed taken out. */
  const normalized = (html: string, typed: string[]) => {
    let out = withoutCsrfTokens(html);
    for (const t of typed) out = out.split(t).join('TYPED');
    return out;
  };

  it('the forgotten-password answer is the same page for an existing and an unknown ID', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    const answers = [];
    for (const loginId of [account.loginId, 'no-such-member-01']) {
      const agent = await sessions.anonymous('/portal/password/forgot');
      const res = await agent.post('/portal/password/forgot', { loginId });
      answers.push({ status: res.status, page: normalized(res.text, [loginId]) });
    }
    expect(answers[0]).toEqual(answers[1]);
  });

  it('the login answer is the same for an unknown ID and a wrong password', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    const answers = [];
    for (const loginId of [account.loginId, 'no-such-member-02']) {
      const agent = await sessions.anonymous('/portal/');
      const res = await agent.post('/portal/login', { loginId, password: 'Wrong#pass1' });
      answers.push({ status: res.status, page: normalized(res.text, [loginId]) });
    }
    expect(answers[0]).toEqual(answers[1]);
  });

  it('the login answer stays the same for an unknown ID and an existing one after five wrong passwords (the lock must not reveal the ID)', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    const answers = [];
    for (const loginId of [account.loginId, 'no-such-member-03']) {
      let res;
      for (let i = 0; i < 6; i++) {
        const agent = await sessions.anonymous('/portal/');
        res = await agent.post('/portal/login', { loginId, password: `Wrong#pass${i}` });
      }
      answers.push({ status: res!.status, text: visibleText(normalized(res!.text, [loginId])).replace(/\d{1,2}:\d{2}/g, 'hh:mm') });
    }
    expect(answers[0]).toEqual(answers[1]);
  }, 30_000);

  it('the forgotten-ID answer is the same page for a member with an account and for details that match nobody', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    const answers = [];
    for (const fields of [identityFields(insurer, account.member), identityFields(insurer, account.member, { number: '999999' })]) {
      const agent = await sessions.anonymous('/portal/userid/forgot');
      const res = await agent.post('/portal/userid/forgot', fields);
      answers.push({ status: res.status, page: normalized(res.text, [fields.number as string]) });
    }
    expect(answers[0]).toEqual(answers[1]);
  });

  it('the staff sign-in answer is the same for an unknown login and a wrong password', async () => {
    const answers = [];
    for (const loginId of [supervisor.login, 'no-such-staff']) {
      const agent = await sessions.anonymous('/staff/login');
      const res = await agent.post('/staff/login', { loginId, password: 'Wrong#pass1' });
      answers.push({ status: res.status, page: normalized(res.text, [loginId]) });
    }
    expect(answers[0]).toEqual(answers[1]);
    clearStaffFailures(ctx.db, supervisor.id);
  });

  it('answers the forgotten-password request for an existing and an unknown ID in the same time (medians of 50 within 10 ms)', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    const agent = await sessions.anonymous('/portal/password/forgot');
    const token = csrfTokenOf(agent.lastPage);
    const timed = async (loginId: string) => {
      const started = process.hrtime.bigint();
      const res = await agent.http.post('/portal/password/forgot').type('form').send({ _csrf: token, loginId });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      expect(res.status).toBe(200);
      return ms;
    };
    for (let i = 0; i < 5; i++) {
      await timed(account.loginId);
      await timed('no-such-member-04');
    }
    const existing: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 50; i++) {
      // Interleaved, alternating which goes first, so drift in the machine's load hits both alike.
      if (i % 2 === 0) {
        existing.push(await timed(account.loginId));
        unknown.push(await timed('no-such-member-04'));
      } else {
        unknown.push(await timed('no-such-member-04'));
        existing.push(await timed(account.loginId));
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const diff = Math.abs(median(existing) - median(unknown));
    expect(diff, `median existing ${median(existing).toFixed(2)} ms, unknown ${median(unknown).toFixed(2)} ms`).toBeLessThan(10);
  }, 60_000);
});

describe('no redirect off the site', () => {
  const ATTACKS = [
    '//evil.example',
    'https://evil.example',
    'http://evil.example/portal/',
    '/\\evil.example',
    '\\\\evil.example',
    '%2F%2Fevil.example',
    '/%2F%2Fevil.example',
    '/portal/%2F%2Fevil.example',
    '/portal/..//evil.example',
    '/portal/%2e%2e//evil.example',
    '/portal/\\evil.example',
    '/portal/\t/evil.example',
    ' //evil.example',
    'javascript:alert(1)',
    '/portal/mypage\r\nLocation: https://evil.example',
    '//evil.example/portal/',
    '///evil.example',
  ];

  const isOwnPath = (location: string) => {
    const resolved = new URL(location, 'http://127.0.0.1');
    return location.startsWith('/') && !location.startsWith('//') && !/[\\\s]/.test(location) && resolved.origin === 'http://127.0.0.1';
  };

  it('the login page never carries a foreign `next` into its form', async () => {
    for (const next of ATTACKS) {
      const agent = new TestAgent(web.server);
      const res = await agent.http.get(`/portal/?next=${encodeURIComponent(next)}`);
      expect(res.status).toBe(200);
      expect(res.text, next).not.toContain('evil.example');
      expect(res.text).not.toContain('javascript:');
    }
  });

  it('a login posted with a foreign `next` lands on my page, and a signed-in visit to /portal/?next=… stays on the site', async () => {
    const account = await makeAccount(ctx.db, ctx.clock, { insurer });
    for (const next of ATTACKS) {
      const agent = await sessions.anonymous('/portal/');
      const res = await agent.post('/portal/login', { loginId: account.loginId, password: account.password, next });
      expect(res.status, next).toBe(303);
      expect(res.headers.location, next).toBe('/portal/mypage');
      const again = await agent.http.get(`/portal/?next=${encodeURIComponent(next)}`);
      expect(again.status).toBe(303);
      expect(isOwnPath(again.headers.location as string), `${next} → ${again.headers.location}`).toBe(true);
      expect(again.headers.location).not.toContain('evil.example');
    }
    // A path of the portal itself is honoured (the feature works; only other sites are refused).
    const agent = await sessions.anonymous('/portal/');
    const res = await agent.post('/portal/login', { loginId: account.loginId, password: account.password, next: '/portal/mypage/email' });
    expect(res.headers.location).toBe('/portal/mypage/email');
  }, 60_000);

  it('a page behind the login sends a signed-out visitor to the login with only its own path as `next`', async () => {
    const res = await new TestAgent(web.server).http.get('/portal/mypage/password?x=//evil.example');
    expect(res.status).toBe(303);
    const location = res.headers.location as string;
    expect(isOwnPath(location)).toBe(true);
    const next = new URL(location, 'http://127.0.0.1').searchParams.get('next');
    expect(next === null || isOwnPath(next)).toBe(true);
  });
});
