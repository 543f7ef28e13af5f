import nunjucks from 'nunjucks';
import { VIEWS_DIR, addFilters } from '../http/views.js';

export interface MailInsurer {
  name: string;
  call_center_phone: string;
  call_center_hours: string;
  call_center_email: string;
  office_phone: string;
  office_hours: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

// Text parts must not be HTML-escaped; HTML parts must be.
const textEnv = addFilters(new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS_DIR), { autoescape: false }));
const htmlEnv = addFilters(new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS_DIR), { autoescape: true }));

/**
 * Renders `views/mail/<name>.txt.njk` and `views/mail/<name>.html.njk`.
 * The subject always names the society: 【U-NEXT HOLDINGS健康保険組合】認証コードのお知らせ.
 */
export function renderMail(
  name: string,
  title: string,
  context: { insurer: MailInsurer } & Record<string, unknown>,
): RenderedMail {
  const ctx = { ...context, title };
  return {
    subject: `【${context.insurer.name}】${title}`,
    text: textEnv.render(`mail/${name}.txt.njk`, ctx),
    html: htmlEnv.render(`mail/${name}.html.njk`, ctx),
  };
}
