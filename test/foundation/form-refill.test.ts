import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoValues, formBody, SECRET_FIELDS } from '../../src/http/forms.js';
import { VIEWS_DIR } from '../../src/http/views.js';
import { TestAgent } from '../support/agent.js';
import { type TestContext, createTestContext } from '../support/app.js';
import { makeInsurer, makeMember } from '../support/factories.js';
import { newSignedInStaff } from '../support/staff-flows.js';

const fieldValue = (html: string, name: string) =>
  new RegExp(`<(?:input|select)[^>]*name="${name}"[^>]*>`).exec(html)?.[0].match(/value="([^"]*)"/)?.[1];
const selectedOf = (html: string, name: string) =>
  new RegExp(`<select[^>]*name="${name}"[\\s\\S]*?</select>`).exec(html)?.[0].match(/<option value="([^"]*)" selected/)?.[1];

describe('which typed values go back into a form after an error', () => {
  it('drops the secret fields by exact name and keeps every other field, insurerCode included', () => {
    const body = Object.fromEntries([...SECRET_FIELDS, 'insurerCode', 'loginId', 'symbol', 'email'].map((k) => [k, `v-${k}`]));
    expect(echoValues(body)).toEqual({ insurerCode: 'v-insurerCode', loginId: 'v-loginId', symbol: 'v-symbol', email: 'v-email' });
  });

  it('reads a post without a form (no body, a JSON array) as no fields, so refilling never crashes', () => {
    expect(formBody({ body: undefined })).toEqual({});
    expect(formBody({ body: ['a'] })).toEqual({});
    expect(formBody({ body: { loginId: 'x' } })).toEqual({ loginId: 'x' });
  });

  it('treats every password field of every page as secret', () => {
    const names = new Set<string>();
    const walk = (dir: string) => {
      for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, f.name);
        if (f.isDirectory()) walk(p);
        else for (const m of fs.readFileSync(p, 'utf8').matchAll(/name: '(\w+)'[^}]*type: 'password'/g)) names.add(m[1]!);
      }
    };
    walk(VIEWS_DIR);
    expect(names.size).toBeGreaterThan(3);
    for (const n of names) expect(SECRET_FIELDS.has(n), n).toBe(true);
  });
});

describe('the 保険者指定コード survives a failed submit', () => {
  let ctx: TestContext;
  let insurer: ReturnType<typeof makeInsurer>;
  beforeAll(async () => {
    ctx = await createTestContext();
    insurer = makeInsurer(ctx.db, ctx.clock, { code: 'keepme' });
    makeInsurer(ctx.db, ctx.clock); // two societies: nothing fills the code in by itself
    makeMember(ctx.db, ctx.clock, insurer);
  });
  afterAll(() => ctx.close());

  it('on signup step 1, after a field error and after a no-match', async () => {
    const agent = new TestAgent(ctx.app);
    const invalid = await agent.submit('/portal/signup', { insurerCode: 'KeepMe', symbol: '', number: '1', nameKana: 'ケンポ' });
    expect(invalid.status).toBe(400);
    expect(fieldValue(invalid.text, 'insurerCode')).toBe('KeepMe');
    const noMatch = await agent.submit('/portal/signup', {
      insurerCode: 'KEEPME', symbol: '9', number: '9', birthYear: '1985', birthMonth: '4', birthDay: '1', nameKana: 'ケンポ',
    });
    expect(noMatch.status).toBe(400);
    expect(fieldValue(noMatch.text, 'insurerCode')).toBe('KEEPME');
  });

  it('on the forgotten-ID page', async () => {
    // As typed, not as the society's code: the form gives back what the member wrote.
    const res = await new TestAgent(ctx.app).submit('/portal/userid/forgot', { insurerCode: 'KEEPME', symbol: '' });
    expect(res.status).toBe(400);
    expect(fieldValue(res.text, 'insurerCode')).toBe('KEEPME');
  });

  it('in the call center\u2019s card search', async () => {
    const staff = await newSignedInStaff(ctx, 'refill-op', 'supervisor');
    await staff.agent.get('/staff/');
    const res = await staff.agent.post('/staff/search/card', { insurerCode: 'keepme', symbol: '', number: '' });
    expect(res.status).toBe(400);
    expect(selectedOf(res.text, 'insurerCode')).toBe('keepme');
  });
});
