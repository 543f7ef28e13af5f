// Loaded before every test file (vitest.config.ts, vitest.e2e.config.ts: setupFiles).
import './matchers.js';
