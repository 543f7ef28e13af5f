import * as OTPAuth from 'otpauth';

/** An authenticator app for a secret shown at enrolment (RFC 6238: SHA-1, 6 digits, 30 s). */
export class Authenticator {
  private readonly totp: OTPAuth.TOTP;
  private lastStep = -1;

  constructor(secretText: string) {
    this.totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secretText.replace(/\s+/g, '')), digits: 6, period: 30, algorithm: 'SHA1' });
  }

  /**
   * The code of the current 30-second step. The server refuses a step it has already
   * accepted (no replay), so a second sign-in within the same step waits for the next one.
   */
  async nextCode(): Promise<string> {
    let step = this.totp.counter();
    while (step <= this.lastStep) {
      await new Promise((r) => setTimeout(r, 500));
      step = this.totp.counter();
    }
    this.lastStep = step;
    return this.totp.generate();
  }
}
