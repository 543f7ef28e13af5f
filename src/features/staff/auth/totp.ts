import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';

/** RFC 6238 as every authenticator app expects it: SHA-1, 6 digits, 30-second steps. */
const PERIOD = 30;
const ISSUER = '加入者ポータル管理画面';

function totpFor(secretBase32: string, label = 'staff'): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

/** A new 160-bit secret, base32 as apps and the page show it. */
export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

/**
 * The time step of a code that is valid at `now` (one step either side for
 * clock drift), or undefined. The caller refuses a step not later than the last used.
 */
export function matchingTotpStep(secretBase32: string, code: string, now: number): number | undefined {
  const totp = totpFor(secretBase32);
  const delta = totp.validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return undefined;
  return totp.counter({ timestamp: now }) + delta;
}

/** What the enrolment page shows: the otpauth:// URI as an SVG QR code, and the secret as text. */
export async function enrolmentPicture(secretBase32: string, loginId: string): Promise<{ qrSvg: string; secretGroups: string }> {
  const uri = totpFor(secretBase32, loginId).toString();
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { qrSvg, secretGroups: secretBase32.replace(/(.{4})(?=.)/g, '$1 ') };
}
