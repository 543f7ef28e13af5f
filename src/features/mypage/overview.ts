import type { SignedInAccount } from '../accounts/service.js';
import { renderNoticeBody } from '../notices/markdown.js';
import type { NoticeService } from '../notices/service.js';
import type { InsurerDirectory } from '../registry/directory.js';

/** A notice as my page shows it: the body already rendered to safe HTML. */
export interface NoticeForMember {
  id: number;
  title: string;
  bodyHtml: string;
  publishedAt: number;
  untilDate: string | null;
}

/**
 * What my page shows the signed-in member about themselves: their own view (each
 * audience gets its own view of a member), never a raw row. The e-mail address is whole: it is
 * theirs, and a typo is easier to see than in a masked one.
 */
export interface MemberOverview {
  name: string;
  loginId: string;
  email: string;
  lastLoginAt: number | null;
  previousLoginAt: number | null;
  insurer: { name: string; code: string } | undefined;
  /** 記号・番号 as the registry holds them. */
  card: { symbol: string; number: string };
  /** 資格: active (加入中) or lost (資格喪失). */
  eligibility: 'active' | 'lost';
  notices: NoticeForMember[];
}

export function createMypageOverview(deps: { insurers: InsurerDirectory; notices: NoticeService }) {
  const { insurers, notices } = deps;

  return function overview(member: SignedInAccount): MemberOverview {
    const insurer = insurers.insurerById(member.insurerId);
    const registry = insurers.memberById(member.memberId);
    return {
      name: member.memberName,
      loginId: member.loginId,
      email: member.email,
      lastLoginAt: member.lastLoginAt,
      previousLoginAt: member.previousLoginAt,
      insurer: insurer && { name: insurer.name, code: insurer.code },
      card: { symbol: registry?.symbol ?? '', number: registry?.number ?? '' },
      eligibility: registry?.status === 'lost' ? 'lost' : 'active',
      notices: notices.current(member.insurerId).map((n) => ({
        id: n.id,
        title: n.title,
        bodyHtml: renderNoticeBody(n.body),
        publishedAt: n.published_at,
        untilDate: n.until_date,
      })),
    };
  };
}
