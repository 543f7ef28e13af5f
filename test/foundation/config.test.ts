import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'portal-config-'));

describe('configuration', () => {
  it('uses the documented defaults in development', () => {
    const dir = tmp();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config.port).toBe(3000);
    expect(config.env).toBe('development');
    expect(config.baseUrl).toBe('http://localhost:3000');
    expect(config.smtpUrl).toBeUndefined();
    expect(config.host).toBe('127.0.0.1');
  });

  it('generates the development session secret once and keeps it in DATA_DIR', () => {
    const dir = tmp();
    const first = loadConfig({ DATA_DIR: dir }).sessionSecret;
    const second = loadConfig({ DATA_DIR: dir }).sessionSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(second).toBe(first);
    expect(fs.readFileSync(path.join(dir, 'session-secret'), 'utf8').trim()).toBe(first);
  });

  it('refuses to start in production without SESSION_SECRET and SMTP_URL, naming them', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tmp(), BASE_URL: 'https://portal.example.jp' })).toThrowError(
      /SESSION_SECRET, SMTP_URL/,
    );
  });

  it('requires DOCUMENT_KEY in production and refuses one that is not 32 bytes of base64', () => {
    const prod = { NODE_ENV: 'production', DATA_DIR: tmp(), BASE_URL: 'https://portal.example.jp', SESSION_SECRET: 'x'.repeat(40), SMTP_URL: 'smtp://mail.example.jp:587' };
    expect(() => loadConfig(prod)).toThrowError(/DOCUMENT_KEY/);
    expect(() => loadConfig({ ...prod, DOCUMENT_KEY: Buffer.alloc(16).toString('base64') })).toThrowError(/DOCUMENT_KEY/);
  });

  it('generates a document key into DATA_DIR outside production and keeps it', () => {
    const dir = tmp();
    const first = loadConfig({ DATA_DIR: dir }).documentKey;
    expect(Buffer.from(first, 'base64')).toHaveLength(32);
    expect(loadConfig({ DATA_DIR: dir }).documentKey).toBe(first);
  });

  it('names the variable that has a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATA_DIR: tmp() })).toThrowError(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty', DATA_DIR: tmp() })).toThrowError(/PORT/);
    expect(() => loadConfig({ SMTP_URL: 'not a url', DATA_DIR: tmp() })).toThrowError(/SMTP_URL/);
    expect(() => loadConfig({ SESSION_SECRET: 'short', DATA_DIR: tmp() })).toThrowError(/SESSION_SECRET/);
  });

  it('accepts a complete production configuration and freezes it', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATA_DIR: tmp(),
      BASE_URL: 'https://portal.example.jp/',
      SESSION_SECRET: 'x'.repeat(40),
      SMTP_URL: 'smtp://mail.example.jp:587',
      DOCUMENT_KEY: Buffer.alloc(32, 1).toString('base64'),
      TRUST_PROXY: '1',
    });
    expect(config.isProduction).toBe(true);
    expect(config.baseUrl).toBe('https://portal.example.jp');
    expect(config.trustProxy).toBe(1);
    expect(config.host).toBe('0.0.0.0');
    expect(Object.isFrozen(config)).toBe(true);
  });
});
