// The no-wait baseline: the function is the custom resource's ServiceToken and answers CloudFormation itself, through
// the pre-signed ResponseURL, as soon as ImportModel (or the delete) returns. It does not wait for the copy.
const { onEvent } = require('./import-model');

exports.handler = async (event, context) => {
  let response;
  try {
    const { PhysicalResourceId, Data } = await onEvent(event);
    response = { Status: 'SUCCESS', PhysicalResourceId, Data };
  } catch (error) {
    console.error(error);
    response = {
      Status: 'FAILED',
      Reason: `${error.name}: ${error.message} (log stream ${context.logStreamName})`.slice(0, 1000),
      // A failed create has no copy: a physical id that is not an ARN tells the Delete of the rollback so.
      PhysicalResourceId: event.PhysicalResourceId ?? context.logStreamName,
    };
  }
  const body = JSON.stringify({
    ...response,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  // The URL is signed for a PUT without a content type.
  const answer = await fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body });
  if (!answer.ok) {
    throw new Error(`CloudFormation refused the response: ${answer.status} ${await answer.text()}`);
  }
};
