// Lets `node --import ./bench/ts-hooks.mjs bench/<file>.ts` run the TypeScript sources directly:
// `.js` specifiers resolve to the `.ts` file beside them (NodeNext style), and `.ts` is
// compiled by swc (already a dev dependency, as for jest). For bench/ and scripts/build-image.sh; the product runs dist/.
import { registerHooks } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

registerHooks({
  resolve(specifier, context, next) {
    if ((specifier.startsWith('.') || specifier.startsWith('/')) && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
      const ts = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
      if (existsSync(fileURLToPath(ts))) return next(ts.href, context);
    }
    return next(specifier, context);
  },
  load(url, context, next) {
    if (!url.endsWith('.ts')) return next(url, context);
    const out = swc.transformFileSync(fileURLToPath(url), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
      module: { type: 'es6' },
      sourceMaps: 'inline',
    });
    return { format: 'module', source: out.code, shortCircuit: true };
  },
});
