import QRCode from 'qrcode';

const cache = new Map<string, Promise<string>>();

/**
 * The QR code of a page's own URL as inline SVG markup, generated once per URL.
 * The markup is qrcode's own (paths only, no script); it gets a role and a name so a
 * screen reader says what it is instead of reading nothing.
 */
export function qrCodeSvg(url: string, label: string): Promise<string> {
  let svg = cache.get(url);
  if (!svg) {
    svg = QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).then((markup) =>
      markup.replace('<svg ', `<svg role="img" aria-label="${escapeAttribute(label)}" class="qr-code" `),
    );
    // A failed generation is not kept: the next page view tries again.
    svg.catch(() => cache.delete(url));
    cache.set(url, svg);
  }
  return svg;
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
