// Preloaded into every Node suite (scripts/test-all.sh: node --unhandled-rejections=strict
// --import ./tests/support/strict.mjs --test …). A rejection nobody handled, or an exception
// nobody caught, fails the suite's file even when it happens outside a test or after one ended
// (node:test alone only warns then). The client must never leave one behind: a seller or an
// app's AbortSignal could otherwise kill the app's process.
for (const event of ['unhandledRejection', 'uncaughtException']) {
  process.on(event, (error) => {
    process.exitCode = 1;
    console.error(`FAIL: ${event} in ${process.argv[1] ?? 'node'}:`, error);
  });
}
