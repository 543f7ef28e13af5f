import { PassThrough, Readable } from 'node:stream';
import sharp from 'sharp';
import { inTransaction, type Db } from '../../../db/database.js';
import { HOUR, type Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/logger.js';
import { createCaseQueries } from '../case-queries.js';
import { UPLOADABLE } from '../case-view.js';
import { DOCUMENT_KINDS } from './rules.js';
import { createDocumentQueries } from './queries.js';
import { newStorageKey, readAll, type DocumentStore } from './store.js';
import { ACCEPTED_TYPES, HEAD_BYTES, measuring, refusedTypeMessage, sniffType, takeHead } from './file-content.js';
import type { SurveyMember, SurveyMemberService } from '../member-service.js';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES_PER_CASE = 30;
/** A reservation this old belongs to an upload that died with its process. */
const RESERVATION_TTL = HOUR;
const MAX_IMAGE_PIXELS = 50_000_000;
const THUMB_PX = 240;
const TOO_LARGE = `ファイルが大きすぎます。1ファイル${MAX_FILE_BYTES / 1024 / 1024}MBまでです。写真の場合は、画質を下げて撮り直してください。`;

export interface UploadOutcome {
  /** The file's own name, shown escaped. */
  name: string;
  ok: boolean;
  message: string;
}

class Refused extends Error {}

/**
 * Stores one uploaded file: its place among the case's 30 is reserved first (one IMMEDIATE
 * transaction, so concurrent uploads cannot pass the cap), the type is judged by content,
 * images are re-encoded upright without metadata (EXIF and its GPS position included) and get
 * a thumbnail, and the row becomes 'received' only once the file is stored. Any failure removes
 * whatever was written and the reservation.
 */
export function createUploadService(deps: { db: Db; clock: Clock; logger: Logger; store: DocumentStore; members: SurveyMemberService }) {
  const { db, clock, store } = deps;
  const cases = createCaseQueries(db);
  const documents = createDocumentQueries(db);

  function reserve(m: SurveyMember, slot: string | undefined, name: string) {
    const match = /^([1-9][0-9]{0,9}):([a-z_]{1,40})$/.exec(slot ?? '');
    if (!match || !DOCUMENT_KINDS[match[2]!]) return { problem: '提出する書類の種類がわかりません。画面を開き直して、もう一度お試しください。' } as const;
    const dependentId = Number(match[1]);
    const kind = match[2]!;
    return inTransaction(db, () => {
      const current = deps.members.currentCase(m);
      const d = cases.dependent(dependentId);
      if (!current || !d || d.case_id !== current.kase.id) return { notFound: true } as const;
      const kase = cases.byId(current.kase.id)!;
      if (!UPLOADABLE.has(kase.status)) return { problem: '審査が完了しているため、書類は追加できません。' } as const;
      const now = clock.now();
      if (documents.held(kase.id, now - RESERVATION_TTL) >= MAX_FILES_PER_CASE) {
        return { problem: `書類は1件の調査につき${MAX_FILES_PER_CASE}ファイルまでです。不要なファイルを削除してから追加してください。` } as const;
      }
      const key = newStorageKey();
      const id = documents.reserve({ caseId: kase.id, dependentId, kind, key, name, now, accountId: m.accountId });
      if (kase.status === 'not_started') cases.moveStatus(kase.id, 'not_started', 'in_progress', now);
      return { id, key } as const;
    });
  }

  async function writeContent(key: string, whole: Readable, mime: string): Promise<{ size: number; sha256: string; thumb: boolean }> {
    const measure = measuring();
    if (mime === 'application/pdf') {
      whole.on('error', (err) => measure.destroy(err));
      await store.put(key, whole.pipe(measure));
      return { ...measure.result(), thumb: false };
    }
    // An image is decoded whole anyway: read it (10 MB at most), then re-encode. sharp drops all
    // metadata unless asked to keep it; rotate() first applies the EXIF orientation.
    const input = await readAll(whole);
    let main: Buffer;
    let thumb: Buffer;
    try {
      const image = sharp(input, { failOn: 'error', limitInputPixels: MAX_IMAGE_PIXELS }).rotate();
      main = await (mime === 'image/jpeg' ? image.clone().jpeg({ quality: 90 }) : image.clone().png()).toBuffer();
      thumb = await image.clone().resize(THUMB_PX, THUMB_PX, { fit: 'inside' }).jpeg({ quality: 70 }).toBuffer();
    } catch {
      throw new Refused('画像を読み取れませんでした。撮り直すか、別のファイルを選んでください。');
    }
    await store.put(key, Readable.from([main]).pipe(measure));
    await store.put(`${key}.thumb`, Readable.from([thumb]));
    return { ...measure.result(), thumb: true };
  }

  return {
    /** Stores one file part of the upload form. `file` is busboy's stream: it is always drained, never destroyed. */
    async storeFile(m: SurveyMember, slot: string | undefined, rawName: string, file: Readable & { truncated?: boolean }): Promise<UploadOutcome | 'not_found'> {
      const name = rawName.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 100) || '（名前のないファイル）';
      const body = new PassThrough();
      let tooLarge = false;
      file.on('limit', () => {
        tooLarge = true;
        body.destroy(new Refused(TOO_LARGE));
      });
      file.on('error', (err) => body.destroy(err));
      file.pipe(body);
      let reservation: { id: number; key: string } | undefined;
      try {
        const r = reserve(m, slot, name);
        if ('notFound' in r) return 'not_found';
        if ('problem' in r) throw new Refused(r.problem);
        reservation = r;
        const { head, whole } = await takeHead(body, HEAD_BYTES);
        if (head.length === 0) throw new Refused('空のファイルです。書類を撮影した写真かPDFを選んでください。');
        const mime = await sniffType(head);
        if (!mime || !ACCEPTED_TYPES.has(mime)) throw new Refused(refusedTypeMessage(mime));
        const written = await writeContent(r.key, whole, mime);
        if (tooLarge || file.truncated) throw new Refused(TOO_LARGE);
        const ok = inTransaction(db, () => documents.complete({ id: r.id, mediaType: mime, ...written, now: clock.now() }));
        if (!ok) throw new Error('reservation vanished while the file was written');
        reservation = undefined;
        return { name, ok: true, message: '受け付けました' };
      } catch (err) {
        if (reservation) {
          const { id, key } = reservation;
          await Promise.all([store.delete(key), store.delete(`${key}.thumb`)]);
          inTransaction(db, () => documents.dropReservation(id));
        }
        if (tooLarge) return { name, ok: false, message: TOO_LARGE };
        if (err instanceof Refused) return { name, ok: false, message: err.message };
        throw err;
      } finally {
        // Whatever was not read is discarded, so busboy goes on with the next part.
        file.unpipe(body);
        file.resume();
      }
    },

    /** Reservations left by a process that died: their files (if any) and rows go. */
    async sweepStale(): Promise<number> {
      const stale = documents.staleReservations(clock.now() - RESERVATION_TTL);
      for (const s of stale) {
        await Promise.all([store.delete(s.storage_key), store.delete(`${s.storage_key}.thumb`)]);
        inTransaction(db, () => documents.dropReservation(s.id));
      }
      return stale.length;
    },
  };
}

export type UploadService = ReturnType<typeof createUploadService>;
