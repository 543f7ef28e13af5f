import { z } from 'zod';

/** Field name → the Japanese message shown under that field. */
export type FieldErrors = Record<string, string>;

export type FormResult<T> =
  | { ok: true; data: T }
  | { ok: false; errors: FieldErrors; values: Record<string, string> };

/**
 * Fields whose typed value is never sent back to the page, by exact name. A pattern such as
 * /code/ also dropped `insurerCode`, so a member retyped the society's code after every error.
 * A new secret field must be added here (test/foundation/forms.test.ts lists every form's fields).
 */
export const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'password',
  'passwordConfirm',
  'currentPassword',
  'newPassword',
  'newPasswordConfirm',
  'code', // e-mail codes and the staff authenticator's TOTP
  '_csrf',
  'token', // password-reset links
  'secret',
]);
const MAX_ECHO = 200;

/**
 * Runs one zod schema per form over the parsed body. On failure returns the
 * first message of each field and the values typed (secrets excepted), so
 * the route can re-render the same page with both.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const input = isPlainObject(body) ? body : {};
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    if (!(field in errors)) errors[field] = issue.message;
  }
  return { ok: false, errors, values: echoValues(input) };
}

/** The typed values that may go back into the form: strings only, trimmed in length, no secrets. */
export function echoValues(body: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (SECRET_FIELDS.has(key) || typeof value !== 'string') continue;
    values[key] = value.slice(0, MAX_ECHO);
  }
  return values;
}

/** A request's parsed form fields; {} when it has none (no body, or not a form). */
export function formBody(req: { body?: unknown }): Record<string, unknown> {
  return isPlainObject(req.body) ? req.body : {};
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A required text field with Japanese messages. Arrays, objects and missing
 * fields (hostile or broken posts) get a message rather than a crash.
 */
export function textField(label: string, opts: { max: number; min?: number; trim?: boolean } = { max: 200 }) {
  const base = z.string({
    error: (iss) => (iss.input === undefined ? `${label}を入力してください` : `${label}を正しく入力してください`),
  });
  const trimmed = opts.trim === false ? base : base.trim();
  return trimmed
    .min(opts.min ?? 1, opts.min && opts.min > 1 ? `${label}は${opts.min}文字以上で入力してください` : `${label}を入力してください`)
    .max(opts.max, `${label}は${opts.max}文字以内で入力してください`);
}

/** An optional text field: missing or empty becomes ''. */
export function optionalTextField(label: string, max = 200) {
  return z
    .string({ error: `${label}を正しく入力してください` })
    .trim()
    .max(max, `${label}は${max}文字以内で入力してください`)
    .optional()
    .transform((v) => v ?? '');
}

/** A checkbox: present with any string value means ticked. */
export function checkboxField() {
  return z
    .union([z.string(), z.undefined()], { error: '正しく入力してください' })
    .transform((v) => v !== undefined && v !== '');
}
