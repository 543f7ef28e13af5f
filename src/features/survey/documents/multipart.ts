import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { MAX_FILE_BYTES, type UploadOutcome, type UploadService } from './uploads.js';
import type { SurveyMember } from '../member-service.js';

/** Files one request may carry: a case holds 30 at most anyway. */
const MAX_FILES_PER_REQUEST = 30;

export type MultipartResult = { outcomes: UploadOutcome[]; notFound: boolean; noFile: boolean };

/**
 * Streams the upload form (`slot`, then one or more `file`) through busboy into the upload
 * service, one file at a time, never holding a whole file in memory. A connection cut mid-way
 * destroys the parser, which fails the file being written (and the service removes it).
 */
export function receiveUploads(req: IncomingMessage, member: SurveyMember, uploads: UploadService): Promise<MultipartResult> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { fileSize: MAX_FILE_BYTES, files: MAX_FILES_PER_REQUEST, fields: 10, fieldSize: 200, parts: 45 },
        // Bigger pieces than the 16 KiB default: fewer hand-overs through hash, cipher and disk per file.
        fileHwm: 256 * 1024,
      });
    } catch {
      resolve({ outcomes: [], notFound: false, noFile: true });
      return;
    }
    let slot: string | undefined;
    let notFound = false;
    let noFile = true;
    const jobs: Promise<void>[] = [];
    const outcomes: UploadOutcome[] = [];
    bb.on('field', (name, value) => {
      if (name === 'slot') slot = value;
    });
    bb.on('file', (name, stream, info) => {
      // An empty file input still sends a part without a name: that is "no file chosen".
      if (name !== 'file' || (info.filename === '' || info.filename === undefined)) {
        stream.resume();
        return;
      }
      noFile = false;
      jobs.push(
        uploads.storeFile(member, slot, info.filename, stream).then((o) => {
          if (o === 'not_found') notFound = true;
          else outcomes.push(o);
        }),
      );
    });
    bb.on('filesLimit', () => {
      outcomes.push({ name: '', ok: false, message: `一度に送れるファイルは${MAX_FILES_PER_REQUEST}個までです。` });
    });
    const settle = () => {
      Promise.all(jobs).then(() => resolve({ outcomes, notFound, noFile }), reject);
    };
    bb.on('close', settle);
    bb.on('error', (err) => {
      // A cut connection or a malformed form: let every file being written fail and clean up, then report.
      Promise.allSettled(jobs).then(() => reject(err));
    });
    req.on('close', () => {
      if (!req.complete) bb.destroy(new Error('upload aborted by the client'));
    });
    req.pipe(bb);
  });
}
