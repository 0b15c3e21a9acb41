// The waiting baseline: the onEvent and isComplete handlers of a cr.Provider, which answers CloudFormation and polls
// isComplete until the copy is usable (aws-cdk-lib's defaults: every 5 s, for at most 30 minutes).
const { onEvent, isComplete } = require('./import-model');

exports.onEvent = onEvent;
exports.isComplete = isComplete;
