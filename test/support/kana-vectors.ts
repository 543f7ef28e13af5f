import { readFileSync } from 'node:fs';

/** One row of test/fixtures/kana-vectors.tsv: a spelling and the two kana keys it must fold to. */
export interface KanaVector {
  input: string;
  note: string;
  primary: string;
  variant: string;
}

export const KANA_VECTORS_FILE = new URL('../fixtures/kana-vectors.tsv', import.meta.url);

/**
 * The kana key vectors (header line skipped), the contract of src/lib/kana.ts.
 * Inputs hold meaningful spaces, so fields are split on tabs and never trimmed.
 */
export function readKanaVectors(): KanaVector[] {
  return readFileSync(KANA_VECTORS_FILE, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line !== '')
    .map((line) => {
      const [input = '', note = '', primary = '', variant = ''] = line.split('\t');
      return { input, note, primary, variant };
    });
}
