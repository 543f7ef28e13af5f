import path from 'node:path';
import type { Config } from '../../../config.js';
import { createLocalDocumentStore, type DocumentStore } from './store.js';

/**
 * The document store, built on first use: the command line builds every service for each
 * command, and most commands never touch a document (nor should they create its folder).
 */
export function lazyDocumentStore(config: Pick<Config, 'dataDir' | 'documentKey'>): DocumentStore {
  let store: DocumentStore | undefined;
  const get = () => (store ??= createLocalDocumentStore({ dir: path.join(config.dataDir, 'documents'), keyBase64: config.documentKey }));
  return {
    put: (key, content) => get().put(key, content),
    get: (key) => get().get(key),
    delete: (key) => get().delete(key),
  };
}
