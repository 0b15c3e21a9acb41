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
  // The bundled handlers run on nodejs24.x in Lambda by default; loaded here on Node 20, each would print the SDK's notice that
  // its releases after January 2027 need Node 22 (read in @aws-sdk/core's emitWarningIfUnsupportedVersion).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // aws-cdk-lib's built-in CloudFormation validator (WASM) runs at every synth: 3.5 to 5.7 s per test file and about
  // 0.35 s per synth of a library stack, and no unit test reads it. It stays on where a template's validity is the
  // point: the integration and example synths outside Jest, and test/compliance.test.ts, which registers it itself.
  process.env.CDK_VALIDATION = 'false';
}
