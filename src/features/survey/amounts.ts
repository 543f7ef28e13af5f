/**
 * Amounts as members type them: `120万`, `1,200,000`, `１２０万円`, `12.5万`, `120万5000`.
 * NFKC brings full-width digits and commas to ASCII first. Returns undefined for anything else.
 */
const MAX_AMOUNT = 10_000_000_000;

export function foldAmount(input: string): number | undefined {
  const s = input.normalize('NFKC').replace(/[\s,，、]/g, '').replace(/円$/, '');
  if (s === '') return undefined;
  let value: number;
  let m: RegExpExecArray | null;
  if (/^[0-9]+$/.test(s)) value = Number(s);
  else if ((m = /^([0-9]+(?:\.[0-9]{1,4})?)万([0-9]{1,4})?$/.exec(s))) value = Math.round(Number(m[1]) * 10_000) + Number(m[2] ?? 0);
  else return undefined;
  return Number.isSafeInteger(value) && value <= MAX_AMOUNT ? value : undefined;
}
