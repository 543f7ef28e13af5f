import express from 'express';

/** The baseline of `npm run bench`: a bare Express "hello" route, in a process of its own. */
const app = express();
app.get('/', (_req, res) => {
  res.send('hello');
});
app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
