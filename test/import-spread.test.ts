// The window a stack's imports spread their ImportModel calls over (issue 22): sized at synth to the stack's imports.
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ComprehendProvider, ImportedComprehendModel } from '../src';
import { importerStack, SOURCE_CLASSIFIER } from './support/fixtures';
import { IMPORT_SPREAD_ENV } from '../src/contract/import-properties';

function stackWith(imports: number, configure?: (stack: Stack) => void): Template {
  const stack = importerStack();
  configure?.(stack);
  for (let i = 0; i < imports; i++) {
    new ImportedComprehendModel(stack, `Model${i}`, { sourceModelArn: SOURCE_CLASSIFIER });
  }
  return Template.fromStack(stack);
}

/** The window each provider function has, by the export it runs. */
function windows(template: Template): Record<string, string | undefined> {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Handler: Match.stringLikeRegexp('^index\\.') } });
  return Object.fromEntries(Object.values(functions).map(fn =>
    [fn.Properties.Handler, fn.Properties.Environment?.Variables?.[IMPORT_SPREAD_ENV]]));
}

test.each([
  [1, '0'],
  [2, '0.5'],
  [51, '25'],
  // A third of the default 5-minute onEvent timeout: the rest is the SDK's room for retries.
  [250, '100'],
])('%d imports spread over %s seconds, at two a second', (imports, seconds) => {
  expect(windows(stackWith(imports))).toEqual({ 'index.onEvent': seconds, 'index.isComplete': undefined });
});

test('the window stays within a third of the configured onEvent timeout', () => {
  const template = stackWith(200, stack => ComprehendProvider.configure(stack, { timeout: Duration.minutes(1) }));
  expect(windows(template)['index.onEvent']).toBe('20');
});

test('a model added to the stack changes the window, not the other imports\' properties', () => {
  const properties = (template: Template) => template.findResources('Custom::ComprehendImportedModel').Model0;
  const before = stackWith(3);
  const after = stackWith(4);
  expect(windows(before)['index.onEvent']).toBe('1');
  expect(windows(after)['index.onEvent']).toBe('1.5');
  expect(properties(after)).toEqual(properties(before));
});
