import type { Response } from 'express';
import { HttpError } from '../../http/errors.js';
import { signedInMember } from '../../http/member-guard.js';
import type { SurveyMember } from './member-service.js';

/** The signed-in member in the shape the survey's services take. */
export function surveyMemberOf(res: Response): SurveyMember {
  const m = signedInMember(res);
  return { memberId: m.memberId, insurerId: m.insurerId, accountId: m.accountId, email: m.email, memberName: m.memberName };
}

/** An id from the URL; anything that is not one is simply not found. */
export function idParam(value: unknown): number {
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,9}$/.test(value)) throw new HttpError(404, 'not_found');
  return Number(value);
}
