/** The Japanese words for the survey's codes, shared by pages, mails and the call center. */

export type CaseStatus = 'not_started' | 'in_progress' | 'submitted' | 'in_review' | 'documents_requested' | 'returned' | 'completed';

export const CASE_STATUS_LABELS: Record<CaseStatus, string> = {
  not_started: '未着手',
  in_progress: '入力中',
  submitted: '提出済み',
  in_review: '審査中',
  documents_requested: '追加書類依頼',
  returned: '差し戻し',
  completed: '審査完了',
};

export const RELATIONSHIPS = ['配偶者', '子', '父', '母', '祖父', '祖母', '兄弟姉妹', '孫', 'その他'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

export const DOCUMENT_STATE_LABELS: Record<string, string> = {
  uploading: '受付中',
  received: '受付済み',
  accepted: '確認済み',
  rejected: '再提出が必要',
  deleted: '削除済み',
};
