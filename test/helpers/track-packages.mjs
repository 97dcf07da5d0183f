// Loaded with `node --import` (bench/memory-startup.ts, test/helpers/loaded-packages.ts): appends the name of every npm package
// the process loads (the first time only) to $PORTCULLIS_TRACK_PACKAGES, one a line, so the
// benchmark can say which dependencies a config made the server load.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.PORTCULLIS_TRACK_PACKAGES;
const seen = new Set();
if (file) {
  registerHooks({
    load(url, context, next) {
      const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
      if (m && !seen.has(m[1])) {
        seen.add(m[1]);
        appendFileSync(file, `${m[1]}\n`);
      }
      return next(url, context);
    },
  });
}
