import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../real-server.js';

/**
 * Every state-changing route of the application, by the file that declares it
 * and the prefix app.ts / the feature router mounts it under. The security
 * tests check each of them, and check this list against the sources, so a
 * route added later without a test fails loudly.
 */
export const POST_ROUTES: readonly { file: string; mount: string; paths: readonly string[] }[] = [
  { file: 'src/features/signup/routes.ts', mount: '/portal/signup', paths: ['/', '/account', '/verify', '/verify/resend'] },
  { file: 'src/features/login/routes.ts', mount: '/portal', paths: ['/login', '/logout'] },
  { file: 'src/features/terms/routes.ts', mount: '/portal/terms', paths: ['/'] },
  { file: 'src/features/mypage/routes.ts', mount: '/portal/mypage', paths: ['/password'] },
  { file: 'src/features/mypage/email-routes.ts', mount: '/portal/mypage/email', paths: ['/', '/verify', '/verify/resend'] },
  { file: 'src/features/recovery/routes.ts', mount: '/portal', paths: ['/password/forgot', '/password/reset/:token', '/userid/forgot'] },
  { file: 'src/features/staff/auth/routes.ts', mount: '/staff', paths: ['/login', '/login/code', '/login/password', '/login/enrol', '/logout'] },
  { file: 'src/features/staff/search/routes.ts', mount: '/staff', paths: ['/search/card', '/search/kana'] },
  { file: 'src/features/staff/members/routes.ts', mount: '/staff/members', paths: ['/:id/email', '/:id/userid-reminder', '/:id/unlock', '/:id/close', '/:id/registry-email'] },
  { file: 'src/features/staff/team/routes.ts', mount: '/staff/team', paths: ['/', '/:id/reset-password', '/:id/reset-authenticator', '/:id/disable', '/:id/enable', '/:id/unlock'] },
  { file: 'src/features/survey/routes.ts', mount: '/portal/survey', paths: ['/dependents/:id', '/submit', '/withdraw'] },
  { file: 'src/features/survey/documents/routes.ts', mount: '/portal/survey/documents', paths: ['/', '/:id/delete'] },
  {
    file: 'src/features/survey/review/routes.ts',
    mount: '/staff/survey',
    paths: ['/documents/:id/accept', '/documents/:id/reject', '/cases/:id/dependents/:dep/decision', '/cases/:id/request-documents', '/cases/:id/return', '/cases/:id/complete'],
  },
];

/** Every full path, e.g. `/portal/signup/verify`, `/staff/members/:id/close`. */
export function allPostPaths(): string[] {
  return POST_ROUTES.flatMap((r) => r.paths.map((p) => (p === '/' ? r.mount : r.mount + p)));
}

/** The routes each source file declares: `router.post|put|patch|delete('…'` (and app.* in app.ts). */
export function declaredRoutes(): { file: string; method: string; path: string }[] {
  const found: { file: string; method: string; path: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        for (const m of text.matchAll(/\b(?:router|app)\.(post|put|patch|delete|all)\(\s*'([^']*)'/g)) {
          found.push({ file: path.relative(REPO_ROOT, full), method: m[1]!, path: m[2]! });
        }
      }
    }
  };
  walk(path.join(REPO_ROOT, 'src'));
  return found;
}
