// Ends every run with one plain "N passed, N failed" line, which CI reads to tell a run that
// tested something from one that ran no test.
let passed = 0;
let failed = 0;
let skipped = 0;

jasmine.getEnv().addReporter({
  specDone: (result) => {
    if (result.status === 'passed') passed++;
    else if (result.status === 'failed') failed++;
    else skipped++;
  },
  jasmineDone: () => {
    console.log(`\nspecs: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  },
});
