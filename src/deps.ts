import path from 'node:path';
import type { Transporter } from 'nodemailer';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import { OutboxWorker } from './mail/worker.js';
import { createAccountService } from './features/accounts/service.js';
import { createAttemptLedger } from './features/attempts/service.js';
import { createEmailCodeService } from './features/email-codes/service.js';
import { createIdentityService } from './features/identity/service.js';
import { createEmailChangeService } from './features/mypage/email-change.js';
import { createMypageOverview } from './features/mypage/overview.js';
import { createMypageService } from './features/mypage/service.js';
import { createNoticeService } from './features/notices/service.js';
import { createPasswordRecoveryService } from './features/recovery/service.js';
import { createUseridRecoveryService } from './features/recovery/userid-service.js';
import { createInsurerDirectory } from './features/registry/directory.js';
import { createSignupService } from './features/signup/service.js';
import { createStaffAuthService } from './features/staff/auth/service.js';
import { createTermsService } from './features/terms/service.js';
import { lazyDocumentStore } from './features/survey/documents/lazy-store.js';
import { createReviewActions } from './features/survey/review/actions.js';
import { createReviewCaseService } from './features/survey/review/case-service.js';
import { createSurveyExport } from './features/survey/review/export.js';
import { createReviewProgress } from './features/survey/review/progress.js';
import { createDocumentPurge } from './features/survey/review/purge.js';

/** The infrastructure every service is built on. Nothing opens a database or a mail transport on import. */
export interface Infra {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  outbox: { kick(): void };
}

/**
 * Every service of the portal, built once (as hmpps-template-typescript's
 * `server/services/index.ts` does). Routes, the command line and tests take the services
 * they use from here; a service gets the other services it calls as arguments, never by
 * building them itself.
 */
export function buildServices(infra: Infra) {
  const { db, clock, config, outbox } = infra;
  const attempts = createAttemptLedger({ db, clock });
  const accounts = createAccountService({ db, clock, attempts, baseUrl: config.baseUrl, outbox });
  const insurers = createInsurerDirectory({ db, clock });
  const emailCodes = createEmailCodeService({ ...infra, attempts });
  const identity = createIdentityService({ db, clock, attempts });
  const notices = createNoticeService({ db, clock });
  const terms = createTermsService({ db, clock });
  const documentStore = lazyDocumentStore(config);
  const surveyReviewCases = createReviewCaseService({ db, clock, store: documentStore });
  return {
    attempts,
    accounts,
    insurers,
    emailCodes,
    identity,
    notices,
    terms,
    signup: createSignupService({ ...infra, identity, emailCodes, accounts, attempts, insurers }),
    passwordRecovery: createPasswordRecoveryService({ ...infra, accounts, attempts, insurers }),
    useridRecovery: createUseridRecoveryService({ ...infra, identity }),
    mypage: createMypageService({ accounts }),
    mypageOverview: createMypageOverview({ insurers, notices }),
    emailChange: createEmailChangeService({ ...infra, emailCodes, accounts, insurers }),
    staffAuth: createStaffAuthService({ db, clock, attempts }),
    documentStore,
    surveyReviewProgress: createReviewProgress({ db, clock }),
    surveyReviewCases,
    surveyReviewActions: createReviewActions({ ...infra, store: documentStore, baseUrl: config.baseUrl, cases: surveyReviewCases }),
    surveyExport: createSurveyExport({ db }),
    surveyDocumentPurge: createDocumentPurge({ db, clock, store: documentStore }),
  };
}

export type Services = ReturnType<typeof buildServices>;

/**
 * Everything the app needs, built once by server.ts (or a test) and passed down.
 */
export function buildDeps(parts: { config: Config; db: Db; clock: Clock; logger: Logger; mailTransport: Transporter }) {
  const { config, db, clock, logger, mailTransport } = parts;
  const outbox = new OutboxWorker({ db, clock, logger, transport: mailTransport, from: config.mailFrom });
  return {
    config,
    db,
    clock,
    logger,
    outbox,
    mailDir: path.join(config.dataDir, 'mail'),
    services: buildServices({ config, db, clock, logger, outbox }),
  };
}

export type Deps = ReturnType<typeof buildDeps>;
