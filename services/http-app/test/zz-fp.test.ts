import { it } from 'vitest';
import { startApp } from '/work/wt/httpbin/services/http-app/test/helpers.ts';

it('fp', async () => {
  const a = await startApp();
  console.log(await (await fetch(a.url + '/')).text());
  await a.close();
});
