import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { isoDateJst } from '../../lib/time.js';
import { createNoticeQueries, type NoticeRow } from './queries.js';

export const NOTICE_TITLE_MAX = 100;
export const NOTICE_BODY_MAX = 2000;

export interface NewNotice {
  insurerId: number;
  title: string;
  body: string;
  /** Last day shown (YYYY-MM-DD, Japan time, inclusive); null = until removed. */
  untilDate: string | null;
}

/** Notices from the society on my page (`portal notice add`). Bodies are limited Markdown (notices/markdown.ts). */
export function createNoticeService(deps: { db: Db; clock: Clock }) {
  const q = createNoticeQueries(deps.db);
  return {
    add: (n: NewNotice): number => q.insert({ ...n, now: deps.clock.now() }),
    /** What my page shows today (Japan calendar day), newest first. */
    current: (insurerId: number): NoticeRow[] => q.current(insurerId, isoDateJst(deps.clock.now())),
  };
}

export type NoticeService = ReturnType<typeof createNoticeService>;
