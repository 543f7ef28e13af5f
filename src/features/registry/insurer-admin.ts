import { inTransaction, type Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { createTermsService } from '../terms/service.js';
import { standardTerms } from '../terms/standard-terms.js';
import {
  findInsurerByCode,
  findInsurerByNumber,
  insertInsurer,
  updateInsurer,
  type Insurer,
  type InsurerChanges,
  type NewInsurer,
} from './insurers.js';

/** Why `portal insurer add|update` refused; the command line prints `message`. */
export class InsurerAdminError extends Error {}

/** 保険者番号: 8 digits (健康保険組合 numbers start with 06, but the rule is the length). */
const INSURER_NUMBER = /^[0-9]{8}$/;

/** `０６１３ ９９９９` → `06139999`; undefined stays undefined, '' means "remove the number". */
export function canonicalInsurerNumber(input: string | undefined): string | null | undefined {
  if (input === undefined) return undefined;
  const folded = input.normalize('NFKC').replace(/[\s-]/g, '');
  if (folded === '') return null;
  if (!INSURER_NUMBER.test(folded)) throw new InsurerAdminError(`--insurer-number "${input}" must be the 8-digit 保険者番号`);
  return folded;
}

/**
 * The society administrator's changes to the insurers table. A code and a 保険者番号 share one
 * input field at signup, so neither may equal another insurer's code or number.
 */
export function createInsurerAdmin(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  const terms = createTermsService(deps);

  function assertNumberFree(insurerNumber: string | null | undefined, ownId?: number): void {
    if (!insurerNumber) return;
    const holder = findInsurerByNumber(db, insurerNumber) ?? findInsurerByCode(db, insurerNumber);
    if (holder && holder.id !== ownId) {
      throw new InsurerAdminError(`保険者番号 ${insurerNumber} is already used by insurer ${holder.code}`);
    }
  }

  /** Adds the insurer and publishes the standard terms with its name, in one transaction. */
  function add(insurer: NewInsurer): { insurer: Insurer; termsVersion: number } {
    return inTransaction(db, () => {
      if (findInsurerByCode(db, insurer.code)) throw new InsurerAdminError(`insurer ${insurer.code} already exists`);
      const alias = findInsurerByNumber(db, insurer.code);
      if (alias) throw new InsurerAdminError(`code ${insurer.code} is the 保険者番号 of insurer ${alias.code}`);
      assertNumberFree(insurer.insurer_number);
      const added = insertInsurer(db, insurer, clock.now());
      const { version } = terms.publish(added.id, standardTerms(added.name));
      return { insurer: added, termsVersion: version };
    });
  }

  /** Changes name, contacts or 保険者番号 of an existing insurer; returns it as it now is. */
  function update(code: string, changes: InsurerChanges): Insurer {
    return inTransaction(db, () => {
      const insurer = findInsurerByCode(db, code);
      if (!insurer) throw new InsurerAdminError(`no insurer with code "${code}" (portal insurer list)`);
      assertNumberFree(changes.insurer_number, insurer.id);
      updateInsurer(db, insurer.id, changes);
      return findInsurerByCode(db, code)!;
    });
  }

  return { add, update };
}
