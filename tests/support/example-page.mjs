// Clicks through an example page (examples/nextjs, examples/vite) as a buyer would: Connect
// extension → pick the account → Fetch paid joke → confirm. Both pages share these labels and
// ids: buttons "Connect extension" and "Fetch paid joke", an account <select>, #status, #paid
// (the receipt line) and #result.
import { newPage, waitForText } from './browsers.mjs';

const settled = (text) => text !== '' && !text.endsWith('…');

/** Returns what the page shows in the end: { status, paid, result, dialogs, errors }. */
export async function clickThroughPayment(browser, url, { rpcUrl, refuse = false }) {
  const page = await newPage(browser, { extension: { rpcUrl, refuse } });
  try {
    await page.goto(url);
    // A server-rendered page ignores clicks until it is hydrated: click until it answers.
    let status = '';
    for (let i = 0; i < 20 && !/account/.test(status); i++) {
      await page.click('::-p-text(Connect extension)');
      status = await waitForText(page, '#status', settled, 3_000).catch(() => '');
    }
    if (!/account/.test(status)) throw new Error(`Connect did not list accounts: "${status}"`);
    const address = await page.$eval('select option', (o) => o.value);
    await page.select('select', address);
    await page.click('::-p-text(Fetch paid joke)');
    status = await waitForText(page, '#status', (t) => settled(t) && t !== status, 90_000);
    const textOf = (selector) => page.$eval(selector, (e) => e.textContent).catch(() => null);
    return { status, paid: await textOf('#paid'), result: await textOf('#result'), dialogs: page.dialogs, errors: page.errors };
  } finally {
    await page.close();
  }
}
