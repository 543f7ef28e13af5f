import fs from 'node:fs';

// Read from src/ both when running from src (tests) and from dist (the same depth).
const STANDARD_TERMS_FILE = new URL('../../../src/features/terms/standard-terms.md', import.meta.url);
let template: string | undefined;

/**
 * The portal's standard terms of use with the society's name in place. `portal insurer add`
 * publishes them as version 1, so a society added without terms of its own still shows terms
 * at first login; the society's own text (`portal terms publish`) becomes the next version.
 */
export function standardTerms(societyName: string): string {
  template ??= fs.readFileSync(STANDARD_TERMS_FILE, 'utf8');
  return template.replaceAll('{{society}}', societyName);
}
