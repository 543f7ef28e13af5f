import MarkdownIt from 'markdown-it';

/**
 * The society's notices as limited Markdown: paragraphs, line breaks, emphasis, lists and
 * links (written `[text](https://…)` or a bare URL). Raw HTML is off, so whatever the body
 * holds is shown as text; markdown-it's link check already refuses javascript:, vbscript:,
 * file: and data: URLs. Headings, images, tables and code blocks are not enabled: a notice is
 * a few sentences under its own title.
 */
const markdown = new MarkdownIt('zero', { html: false, linkify: true, breaks: true }).enable([
  'paragraph',
  'newline',
  'emphasis',
  'list',
  'link',
  'linkify',
  'autolink',
  'escape',
]);

// Links leave the portal: open where the member is, but tell the browser the page is not theirs.
const defaultLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const href = String(tokens[idx]!.attrGet('href') ?? '');
  if (/^https?:\/\//i.test(href)) tokens[idx]!.attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Safe HTML of a notice body. */
export function renderNoticeBody(body: string): string {
  return markdown.render(body);
}
