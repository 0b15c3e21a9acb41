// The hand-written baselines' handler logic (bench/scaling-stacks.ts): what a competent engineer writes without the
// library. A Lambda asset, run on the Node.js runtime's own @aws-sdk/client-comprehend; it is never bundled, and its
// bytes are not in the template. No update handling, no validation, no ownership checks, no retries but the SDK's.
const {
  ComprehendClient, DeleteDocumentClassifierCommand, DeleteEntityRecognizerCommand,
  DescribeDocumentClassifierCommand, DescribeEntityRecognizerCommand, ImportModelCommand,
} = require('@aws-sdk/client-comprehend');

const comprehend = new ComprehendClient({});

/** A model ARN names a document classifier or an entity recognizer; anything else is a create that failed. */
const modelType = arn => /^arn:[\w-]+:comprehend:[\w-]+:\d{12}:(document-classifier|entity-recognizer)\//.exec(arn ?? '')?.[1];

/** Create: ImportModel, the copy's ARN as physical id. Update: nothing. Delete: the copy, if there is one. */
async function onEvent(event) {
  const { SourceModelArn, ModelName, VersionName, ModelKmsKeyId, DataAccessRoleArn } = event.ResourceProperties;
  if (event.RequestType === 'Create') {
    const { ModelArn } = await comprehend.send(new ImportModelCommand({
      SourceModelArn, ModelName, VersionName, ModelKmsKeyId, DataAccessRoleArn,
    }));
    return { PhysicalResourceId: ModelArn, Data: { ModelArn } };
  }
  const arn = event.PhysicalResourceId;
  if (event.RequestType === 'Delete' && modelType(arn)) {
    const command = modelType(arn) === 'document-classifier'
      ? new DeleteDocumentClassifierCommand({ DocumentClassifierArn: arn })
      : new DeleteEntityRecognizerCommand({ EntityRecognizerArn: arn });
    try {
      await comprehend.send(command);
    } catch (error) {
      if (error.name !== 'ResourceNotFoundException') {
        throw error;
      }
    }
  }
  return { PhysicalResourceId: arn, Data: { ModelArn: arn } };
}

/** Done when the copy is usable; fails when its import failed. Deletes and updates do not wait. */
async function isComplete(event) {
  const arn = event.PhysicalResourceId;
  if (event.RequestType === 'Delete' || !modelType(arn)) {
    return { IsComplete: true };
  }
  const properties = modelType(arn) === 'document-classifier'
    ? (await comprehend.send(new DescribeDocumentClassifierCommand({ DocumentClassifierArn: arn }))).DocumentClassifierProperties
    : (await comprehend.send(new DescribeEntityRecognizerCommand({ EntityRecognizerArn: arn }))).EntityRecognizerProperties;
  if (properties.Status === 'IN_ERROR' || properties.Status === 'STOPPED') {
    throw new Error(`the import of ${arn} ended ${properties.Status}: ${properties.Message}`);
  }
  return { IsComplete: properties.Status === 'TRAINED' || properties.Status === 'TRAINED_WITH_WARNING' };
}

module.exports = { onEvent, isComplete };
