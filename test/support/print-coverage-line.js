// @ts-check
// Prints the test run's coverage totals in one line, after jest. jest's per-file table (about 100 lines, many wider
// than 200 characters) goes to coverage/coverage.txt with the other reports; a person reads the totals.
// Plain JavaScript, run by node in the test task.
const fs = require('fs');
const path = require('path');

const coverageFolder = path.join(__dirname, '..', '..', 'coverage');
const summaryFile = path.join(coverageFolder, 'coverage-summary.json');
if (fs.existsSync(summaryFile)) {
  const total = JSON.parse(fs.readFileSync(summaryFile, 'utf-8')).total;
  const figures = ['statements', 'branches', 'functions', 'lines'].map(metric => `${metric} ${total[metric].pct}%`);
  console.log(`Coverage: ${figures.join(', ')} (per file: coverage/coverage.txt)`);
}
