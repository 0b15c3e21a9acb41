import { App, Stage } from 'aws-cdk-lib';
import { ImporterStack } from './importer-stack';
import { SharerStack } from './sharer-stack';

/** The accounts of the multi-account example: the model factory shares, staging and prod import. */
export interface MultiAccountSettings {
  readonly region: string;
  readonly factoryAccount: string;
  readonly stagingAccount: string;
  readonly prodAccount: string;
  /** The accounts the factory shares with; by default staging and prod. */
  readonly importerAccounts?: string[];
}

/**
 * One app for both sides: a Stage per account. What is known at synth time is checked across the stages: an import of
 * a model version the app also shares must be from an account the share names, in its Region, with its key.
 */
export function defineMultiAccountApp(app: App, settings: MultiAccountSettings): { factory: Stage; staging: Stage; prod: Stage } {
  const { region, factoryAccount, stagingAccount, prodAccount } = settings;
  const existingModelArn = `arn:aws:comprehend:${region}:${factoryAccount}:entity-recognizer/product-names/version/v3`;

  const factory = new Stage(app, 'ModelFactory', { env: { account: factoryAccount, region } });
  new SharerStack(factory, 'Sharer', {
    importerAccounts: settings.importerAccounts ?? [stagingAccount, prodAccount],
    existingModelArn,
    trainingBucketName: `comprehend-training-${factoryAccount}`,
  });

  const importerStage = (id: string, account: string) => {
    const stage = new Stage(app, id, { env: { account, region } });
    new ImporterStack(stage, 'Importer', {
      sharedModelArn: existingModelArn,
      encryptedModelArn: `arn:aws:comprehend:${region}:${factoryAccount}:document-classifier/support-tickets/version/v1`,
      // The factory's key is created in its stage; across accounts its ARN travels as a string (the Sharer's output).
      encryptedModelKeyArn: app.node.tryGetContext('supportTicketsKeyArn')
        ?? `arn:aws:kms:${region}:${factoryAccount}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    });
    return stage;
  };
  return { factory, staging: importerStage('Staging', stagingAccount), prod: importerStage('Prod', prodAccount) };
}
