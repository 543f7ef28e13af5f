import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { rotateCsrfToken } from '../../src/http/csrf.js';

describe('CSRF rotation at session regeneration', () => {
  it('fails loudly on a request the CSRF middleware never saw, instead of silently keeping the old token', async () => {
    const app = express();
    app.get('/', (req, res) => {
      try {
        rotateCsrfToken(req, res);
        res.send('rotated');
      } catch (e) {
        res.send(`refused: ${(e as Error).message}`);
      }
    });
    const res = await request(app).get('/');
    expect(res.text).toMatch(/^refused: .*without csrfProtection/);
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});
