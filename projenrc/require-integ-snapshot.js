// @ts-check
// The integration tests' assert tasks start here: fail with the task to run when a test has no snapshot yet.
// (projen's own step does the same in a `node -e` one-liner, which every build log echoed, `process.exit(1)` and all.)
const fs = require('fs');

const [snapshotFolder, testName, deployTask] = process.argv.slice(2);
if (!fs.statSync(snapshotFolder, { throwIfNoEntry: false })?.isDirectory()) {
  console.error(`No snapshot available for integration test '${testName}'. Run 'npx projen ${deployTask}' to capture.`);
  process.exit(1);
}
