// Jest global teardown: removes the run's temp folder (see global-setup.ts), with every cdk.out in it.
import * as fs from 'fs';
import { TEMP_FOLDER_VARIABLE } from './global-setup';

export default function globalTeardown(): void {
  const folder = process.env[TEMP_FOLDER_VARIABLE];
  if (folder) {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
