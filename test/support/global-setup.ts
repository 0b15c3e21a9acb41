// Jest global setup, for every test file: the test workers start after it and inherit its environment.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const TEMP_FOLDER_VARIABLE = 'CDK_COMPREHEND_MODEL_IMPORT_TEST_TMPDIR';

export default function globalSetup(): void {
  // The run's own temp folder: every CDK app synthesized without an outdir writes a cdk.out folder under
  // os.tmpdir(), which reads TMPDIR. The teardown removes it.
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-comprehend-model-import-test-'));
  process.env[TEMP_FOLDER_VARIABLE] = folder;
  process.env.TMPDIR = folder;
  // The bundled handlers run on nodejs22.x in Lambda; loaded here on Node 20, each would print the SDK's notice that
  // its releases after January 2027 need Node 22 (read in @aws-sdk/core's emitWarningIfUnsupportedVersion).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
