// ComprehendProvider.configure(): the settings of the stack's providers (issue 19), asserted on the templates.
import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as comprehend from 'aws-cdk-lib/aws-comprehend';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { ComprehendProvider, ComprehendProviderProps, ImportedComprehendModel, SharedModelPolicy } from '../src';
import { IMPORTER, importerStack, SHARER, sharerStack, SOURCE_CLASSIFIER as SOURCE } from './support/fixtures';

jest.setTimeout(120_000);

/** Settings made in the stack they are for (a VPC, a key, a log group are constructs of it). */
type Settings = (stack: Stack) => ComprehendProviderProps;

/** An importer stack: one import, served by an endpoint; configured first when `settings` are given. */
function importer(settings?: Settings, { modelKey = false, stack = importerStack() } = {}): Stack {
  if (settings) {
    ComprehendProvider.configure(stack, settings(stack));
  }
  const model = new ImportedComprehendModel(stack, 'Model', {
    sourceModelArn: SOURCE,
    modelKey: modelKey ? new kms.Key(stack, 'ModelKey', { enableKeyRotation: true }) : undefined,
  });
  model.addEndpoint('Endpoint');
  return stack;
}

/** A sharer stack: a share of a model outside the stack, which runs through the model policy provider. */
function sharer(settings?: Settings, stack = sharerStack()): Stack {
  if (settings) {
    ComprehendProvider.configure(stack, settings(stack));
  }
  new SharedModelPolicy(stack, 'Share', { modelArn: SOURCE, importerAccounts: [IMPORTER] });
  return stack;
}

type Resources = Record<string, { Type: string; Properties: any }>;

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** Every Lambda function of the template. */
function functions(template: Template): Resources {
  return resourcesOf(template, 'AWS::Lambda::Function');
}

/** The library's handler functions (`index.EXPORT` of a bundle). */
function handlers(template: Template): Resources {
  return Object.fromEntries(Object.entries(functions(template)).filter(([, fn]) => fn.Properties.Handler.startsWith('index.')));
}

/** The custom-resources framework's functions (`framework.onEvent`, `framework.isComplete`, `framework.onTimeout`). */
function frameworkFunctions(template: Template): Resources {
  return Object.fromEntries(Object.entries(functions(template)).filter(([, fn]) => fn.Properties.Handler.startsWith('framework.')));
}

/** The logical id of a function's execution role. */
function roleOf(fn: { Properties: any }): string {
  return fn.Properties.Role['Fn::GetAtt'][0];
}

/** The logical ids of the execution roles of every function. */
function functionRoles(template: Template): string[] {
  return [...new Set(Object.values(functions(template)).map(roleOf))].sort();
}

/** The statements of every policy attached to the role `roleId`. */
function statementsOfRole(template: Template, roleId: string): any[] {
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter(policy => policy.Properties.Roles.some((role: any) => role.Ref === roleId))
    .flatMap(policy => policy.Properties.PolicyDocument.Statement);
}

const VPC_ACCESS_POLICY = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']],
};

/** A VPC with private subnets with egress (the default selection) and isolated ones. */
function vpcOf(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

/** The logical id of a construct's default CloudFormation resource. */
function logicalId(construct: Construct): string {
  const stack = Stack.of(construct);
  return stack.resolve((construct.node.defaultChild as any).logicalId);
}

describe('without configure(): the defaults', () => {
  test('importer: two handlers of one asset, 256 MB, 5 minutes, no VPC, no key; log groups kept a year; waiter logs ALL', () => {
    const template = Template.fromStack(importer());

    const handlerFns = Object.values(handlers(template));
    expect(handlerFns.map(fn => fn.Properties.Handler).sort()).toEqual(['index.isComplete', 'index.onEvent']);
    expect(new Set(handlerFns.map(fn => fn.Properties.Code.S3Key)).size).toBe(1);
    for (const fn of handlerFns) {
      expect(fn.Properties).toMatchObject({ MemorySize: 256, Timeout: 300 });
    }
    const all = Object.values(functions(template));
    expect(all).toHaveLength(5);
    for (const fn of all) {
      expect(fn.Properties.VpcConfig).toBeUndefined();
      expect(fn.Properties.KmsKeyArn).toBeUndefined();
    }
    // The framework keeps the Provider's memory and timeout.
    for (const fn of Object.values(frameworkFunctions(template))) {
      expect(fn.Properties.MemorySize).toBeUndefined();
      expect(fn.Properties.Timeout).toBe(900);
    }
    const logGroups = Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(4);
    for (const logGroup of logGroups) {
      expect(logGroup.Properties.RetentionInDays).toBe(365);
    }
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({
        Level: 'ALL',
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ComprehendProviderWaiterLogs'), 'Arn'] } } }],
      }),
    });
    for (const role of functionRoles(template)) {
      expect(template.toJSON().Resources[role].Properties.ManagedPolicyArns).toBeUndefined();
    }
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
  });

  test('sharer: the policy handler, 256 MB, 2 minutes, no VPC, no key; log groups kept a year; no waiter', () => {
    const template = Template.fromStack(sharer());

    const handlerFns = Object.values(handlers(template));
    expect(handlerFns).toHaveLength(1);
    expect(handlerFns[0].Properties).toMatchObject({ Handler: 'index.onEvent', MemorySize: 256, Timeout: 120 });
    const all = Object.values(functions(template));
    expect(all).toHaveLength(2);
    for (const fn of all) {
      expect(fn.Properties.VpcConfig).toBeUndefined();
      expect(fn.Properties.KmsKeyArn).toBeUndefined();
    }
    const logGroups = Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(2);
    for (const logGroup of logGroups) {
      expect(logGroup.Properties.RetentionInDays).toBe(365);
    }
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
  });

  test('the two providers run different bundles', () => {
    const importerHandlers = Object.values(handlers(Template.fromStack(importer())));
    const sharerHandlers = Object.values(handlers(Template.fromStack(sharer())));
    expect(importerHandlers[0].Properties.Code.S3Key).not.toEqual(sharerHandlers[0].Properties.Code.S3Key);
  });
});

const kinds = [['importer', importer, 5], ['sharer', sharer, 2]] as const;

describe('vpc', () => {
  test.each(kinds)('%s: every function in the VPC\'s private subnets, a security group each; every function role may attach to it', (_, build, count) => {
    let vpc!: ec2.Vpc;
    const stack = build(s => ({ vpc: (vpc = vpcOf(s)) }));
    const template = Template.fromStack(stack);

    const privateSubnets = stack.resolve(vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds);
    expect(privateSubnets).toHaveLength(2);
    const fns = functions(template);
    expect(Object.keys(fns)).toHaveLength(count);
    const securityGroups = resourcesOf(template, 'AWS::EC2::SecurityGroup');
    expect(Object.keys(securityGroups)).toHaveLength(count);
    const used = new Set<string>();
    for (const fn of Object.values(fns)) {
      expect(fn.Properties.VpcConfig).toEqual({
        SubnetIds: privateSubnets,
        SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^Comprehend(ModelPolicy)?Provider/), 'GroupId'] }],
      });
      used.add(fn.Properties.VpcConfig.SecurityGroupIds[0]['Fn::GetAtt'][0]);
    }
    expect(used.size).toBe(count);
    for (const sg of Object.values(securityGroups)) {
      expect(sg.Properties).toMatchObject({
        VpcId: stack.resolve(vpc.vpcId),
        SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }],
      });
      expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    }
    const roles = functionRoles(template);
    expect(roles).toHaveLength(count === 5 ? 3 : 2);
    for (const role of roles) {
      expect(template.toJSON().Resources[role].Properties.ManagedPolicyArns).toEqual([VPC_ACCESS_POLICY]);
    }
  });

  test.each(kinds)('%s: vpcSubnets and securityGroups reach every function, and no security group is created', (_, build, count) => {
    let expected!: { SubnetIds: unknown; SecurityGroupIds: unknown };
    const stack = build(s => {
      const vpc = vpcOf(s);
      const group = new ec2.SecurityGroup(s, 'FunctionsSg', { vpc, description: 'The functions of the providers' });
      const vpcSubnets = { subnetGroupName: 'Isolated' };
      expected = { SubnetIds: s.resolve(vpc.selectSubnets(vpcSubnets).subnetIds), SecurityGroupIds: [s.resolve(group.securityGroupId)] };
      return { vpc, vpcSubnets, securityGroups: [group] };
    });
    const template = Template.fromStack(stack);

    expect((expected.SubnetIds as any[])[0]).toEqual({ Ref: expect.stringMatching(/^VpcIsolatedSubnet1/) });
    const fns = Object.values(functions(template));
    expect(fns).toHaveLength(count);
    for (const fn of fns) {
      expect(fn.Properties.VpcConfig).toEqual(expected);
    }
    expect(Object.keys(resourcesOf(template, 'AWS::EC2::SecurityGroup'))).toEqual([expect.stringMatching(/^FunctionsSg/)]);
    for (const role of functionRoles(template)) {
      expect(template.toJSON().Resources[role].Properties.ManagedPolicyArns).toEqual([VPC_ACCESS_POLICY]);
    }
  });
});

describe('logRetention', () => {
  test.each(kinds)('%s: every log group the library creates keeps the logs that long', (_, build) => {
    const template = Template.fromStack(build(() => ({ logRetention: logs.RetentionDays.TEN_YEARS })));

    const logGroups = Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'));
    expect(logGroups.length).toBeGreaterThanOrEqual(2);
    for (const logGroup of logGroups) {
      expect(logGroup.Properties.RetentionInDays).toBe(3653);
    }
  });
});

describe('logGroup', () => {
  test.each(kinds)('%s: no log group of the library; every function and the waiter log to yours, and every function role may write to it', (kind, build, count) => {
    let mine!: logs.LogGroup;
    const stack = build(s => ({ logGroup: (mine = new logs.LogGroup(s, 'MyLogs', { retention: logs.RetentionDays.THREE_MONTHS })) }));
    const template = Template.fromStack(stack);

    const myId = logicalId(mine);
    expect(Object.keys(resourcesOf(template, 'AWS::Logs::LogGroup'))).toEqual([myId]);
    const fns = Object.values(functions(template));
    expect(fns).toHaveLength(count);
    for (const fn of fns) {
      expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: myId });
    }
    for (const role of functionRoles(template)) {
      expect(statementsOfRole(template, role)).toContainEqual({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [myId, 'Arn'] },
      });
    }
    if (kind === 'importer') {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        LoggingConfiguration: Match.objectLike({
          Level: 'ALL',
          Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [myId, 'Arn'] } } }],
        }),
      });
    }
  });
});

describe('memorySize and timeout', () => {
  test.each(kinds)('%s: the handler functions get them; the framework\'s functions keep the Provider\'s', (_, build) => {
    const template = Template.fromStack(build(() => ({ memorySize: 1024, timeout: Duration.minutes(10) })));

    const handlerFns = Object.values(handlers(template));
    expect(handlerFns.length).toBeGreaterThanOrEqual(1);
    for (const fn of handlerFns) {
      expect(fn.Properties).toMatchObject({ MemorySize: 1024, Timeout: 600 });
    }
    for (const fn of Object.values(frameworkFunctions(template))) {
      expect(fn.Properties.MemorySize).toBeUndefined();
      expect(fn.Properties.Timeout).toBe(900);
    }
  });

  test('the bounds are accepted', () => {
    const low = Template.fromStack(importer(() => ({ memorySize: 128, timeout: Duration.minutes(1) })));
    const high = Template.fromStack(sharer(() => ({ memorySize: 10_240, timeout: Duration.minutes(14) })));

    for (const fn of Object.values(handlers(low))) {
      expect(fn.Properties).toMatchObject({ MemorySize: 128, Timeout: 60 });
    }
    for (const fn of Object.values(handlers(high))) {
      expect(fn.Properties).toMatchObject({ MemorySize: 10_240, Timeout: 840 });
    }
  });
});

describe('environmentEncryption', () => {
  test.each(kinds)('%s: the key encrypts the environment of the handlers and the framework\'s functions', (_, build, count) => {
    let key!: kms.Key;
    const stack = build(s => ({ environmentEncryption: (key = new kms.Key(s, 'EnvKey', { enableKeyRotation: true })) }));
    const template = Template.fromStack(stack);

    const fns = Object.values(functions(template));
    expect(fns).toHaveLength(count);
    for (const fn of fns) {
      expect(fn.Properties.KmsKeyArn).toEqual(stack.resolve(key.keyArn));
    }
  });
});

describe('waiterLogLevel', () => {
  test('the waiter state machine logs at that level', () => {
    const template = Template.fromStack(importer(() => ({ waiterLogLevel: sfn.LogLevel.ERROR })));

    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({
        Level: 'ERROR',
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ComprehendProviderWaiterLogs'), 'Arn'] } } }],
      }),
    });
  });

  test('OFF: the waiter logs nothing and gets no log group', () => {
    const template = Template.fromStack(importer(() => ({ waiterLogLevel: sfn.LogLevel.OFF })));

    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { LoggingConfiguration: Match.absent() });
    // The functions' three log groups (two handlers, the framework), and none for the waiter.
    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    expect(Object.keys(resourcesOf(template, 'AWS::Logs::LogGroup')).filter(id => id.includes('WaiterLogs'))).toEqual([]);
  });
});

describe('architecture', () => {
  test.each(kinds)('%s: by default no function names one, so every function runs on Lambda\'s x86_64', (_, build, count) => {
    const fns = Object.values(functions(Template.fromStack(build())));
    expect(fns).toHaveLength(count);
    for (const fn of fns) {
      expect(fn.Properties.Architectures).toBeUndefined();
    }
  });

  test.each(kinds)('%s: ARM_64 reaches the handlers and the framework\'s functions', (_, build, count) => {
    const template = Template.fromStack(build(() => ({ architecture: lambda.Architecture.ARM_64 })));

    const fns = Object.values(functions(template));
    expect(fns).toHaveLength(count);
    expect(Object.keys(frameworkFunctions(template)).length).toBeGreaterThanOrEqual(1);
    for (const fn of fns) {
      expect([fn.Properties.Handler, fn.Properties.Architectures]).toEqual([fn.Properties.Handler, ['arm64']]);
    }
  });

  test('X86_64 given is written on every function', () => {
    const template = Template.fromStack(importer(() => ({ architecture: lambda.Architecture.X86_64 })));

    for (const fn of Object.values(functions(template))) {
      expect(fn.Properties.Architectures).toEqual(['x86_64']);
    }
  });
});

describe('runtime', () => {
  test.each(kinds)('%s: by default the handlers run nodejs24.x, and the framework\'s functions the Provider\'s runtime', (_, build) => {
    const stack = build();
    const template = Template.fromStack(stack);

    const ownHandlers = Object.values(handlers(template));
    const framework = Object.values(frameworkFunctions(template));
    expect([ownHandlers.length > 0, framework.length > 0]).toEqual([true, true]);
    for (const fn of ownHandlers) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
    }
    // What the Provider picks with the installed aws-cdk-lib (nodejs24.x with 2.273.0), whatever it is.
    const providers = stack.resolve(lambda.determineLatestNodeRuntime(stack).name);
    for (const fn of framework) {
      expect(fn.Properties.Runtime).toEqual(providers);
    }
  });

  test.each(kinds)('%s: a newer Node.js runtime reaches the handlers and the framework\'s functions', (_, build, count) => {
    const template = Template.fromStack(build(() => ({ runtime: new lambda.Runtime('nodejs26.x', lambda.RuntimeFamily.NODEJS) })));

    const fns = Object.values(functions(template));
    expect(fns).toHaveLength(count);
    for (const fn of fns) {
      expect([fn.Properties.Handler, fn.Properties.Runtime]).toEqual([fn.Properties.Handler, 'nodejs26.x']);
    }
  });

  test.each([
    ['NODEJS_24_X', lambda.Runtime.NODEJS_24_X],
    ['NODEJS_LATEST', lambda.Runtime.NODEJS_LATEST],
    ['nodejs30.x', new lambda.Runtime('nodejs30.x', lambda.RuntimeFamily.NODEJS)],
  ])('%s is accepted', (_, runtime) => {
    const template = Template.fromStack(sharer(() => ({ runtime })));

    const fns = Object.values(functions(template));
    expect(fns.length).toBeGreaterThan(0);
    for (const fn of fns) {
      expect(fn.Properties.Runtime).toBe(runtime.name);
    }
  });
});

describe('loggingFormat, applicationLogLevel and systemLogLevel', () => {
  /** The LoggingConfig of every handler and of every framework function, without the log group. */
  function loggingConfigs(template: Template) {
    const withoutGroup = (fns: Resources) => Object.values(fns).map(fn => {
      const { LogGroup: _logGroup, ...rest } = fn.Properties.LoggingConfig ?? {};
      return rest;
    });
    return { handlers: withoutGroup(handlers(template)), framework: withoutGroup(frameworkFunctions(template)) };
  }

  test.each(kinds)('%s: by default the handlers log text, unfiltered; the framework\'s functions JSON at FATAL (the Provider\'s)', (_, build) => {
    const configs = loggingConfigs(Template.fromStack(build()));

    expect(configs.handlers.length).toBeGreaterThanOrEqual(1);
    for (const config of configs.handlers) {
      expect(config).toEqual({});
    }
    expect(configs.framework.length).toBeGreaterThanOrEqual(1);
    for (const config of configs.framework) {
      expect(config).toEqual({ LogFormat: 'JSON', ApplicationLogLevel: 'FATAL' });
    }
  });

  test.each(kinds)('%s: JSON reaches the handlers; the framework\'s functions log JSON already', (_, build) => {
    const configs = loggingConfigs(Template.fromStack(build(() => ({ loggingFormat: lambda.LoggingFormat.JSON }))));

    for (const config of configs.handlers) {
      expect(config).toEqual({ LogFormat: 'JSON' });
    }
    for (const config of configs.framework) {
      expect(config).toEqual({ LogFormat: 'JSON', ApplicationLogLevel: 'FATAL' });
    }
  });

  test.each(kinds)('%s: both levels without a format: JSON with those levels on the handlers, the levels on the framework\'s functions', (_, build) => {
    const configs = loggingConfigs(Template.fromStack(build(() => ({
      applicationLogLevel: lambda.ApplicationLogLevel.WARN,
      systemLogLevel: lambda.SystemLogLevel.DEBUG,
    }))));

    for (const config of [...configs.handlers, ...configs.framework]) {
      expect(config).toEqual({ LogFormat: 'JSON', ApplicationLogLevel: 'WARN', SystemLogLevel: 'DEBUG' });
    }
  });

  test('JSON with only a system level: the application records keep their defaults (Lambda\'s; the Provider\'s FATAL)', () => {
    const configs = loggingConfigs(Template.fromStack(importer(() => ({
      loggingFormat: lambda.LoggingFormat.JSON,
      systemLogLevel: lambda.SystemLogLevel.WARN,
    }))));

    for (const config of configs.handlers) {
      expect(config).toEqual({ LogFormat: 'JSON', SystemLogLevel: 'WARN' });
    }
    expect(configs.framework).toHaveLength(3);
    for (const config of configs.framework) {
      expect(config).toEqual({ LogFormat: 'JSON', ApplicationLogLevel: 'FATAL', SystemLogLevel: 'WARN' });
    }
  });

  test.each(kinds)('%s: TEXT reaches the handlers only: the framework\'s functions keep JSON at FATAL', (_, build) => {
    const configs = loggingConfigs(Template.fromStack(build(() => ({ loggingFormat: lambda.LoggingFormat.TEXT }))));

    for (const config of configs.handlers) {
      expect(config).toEqual({ LogFormat: 'Text' });
    }
    for (const config of configs.framework) {
      expect(config).toEqual({ LogFormat: 'JSON', ApplicationLogLevel: 'FATAL' });
    }
  });

  test('the log group stays with the log settings', () => {
    let mine!: logs.LogGroup;
    const stack = importer(s => ({ logGroup: (mine = new logs.LogGroup(s, 'MyLogs')), systemLogLevel: lambda.SystemLogLevel.WARN }));
    const template = Template.fromStack(stack);

    for (const fn of Object.values(functions(template))) {
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', SystemLogLevel: 'WARN', LogGroup: { Ref: logicalId(mine) } });
    }
  });
});

test('the settings of one stack do not reach another stack of the app', () => {
  const app = new App();
  importer(() => ({ memorySize: 2048 }), { stack: importerStack(app, 'Configured') });
  const other = importer(undefined, { stack: importerStack(app, 'Other') });

  for (const fn of Object.values(handlers(Template.fromStack(other)))) {
    expect(fn.Properties.MemorySize).toBe(256);
  }
});

describe('errors', () => {
  /** A construct that configures the importer stack's providers, so the message's path is its own. */
  function configure(props: (stack: Stack) => ComprehendProviderProps, stack = importerStack()) {
    return () => ComprehendProvider.configure(new Construct(stack, 'Settings'), props(stack));
  }

  test.each([
    ['memory below 128 MB', () => ({ memorySize: 64 }),
      'Importer/Settings: memorySize 64 is out of range; expected a whole number of MB from 128 to 10240'],
    ['memory above 10,240 MB', () => ({ memorySize: 10_241 }), 'Importer/Settings: memorySize 10241 is out of range'],
    ['memory not a whole number', () => ({ memorySize: 256.5 }), 'Importer/Settings: memorySize 256.5 is out of range'],
    ['a timeout under a minute', () => ({ timeout: Duration.seconds(30) }),
      'Importer/Settings: timeout 30 seconds is out of range; expected 1 to 14 minutes'],
    ['a timeout over 14 minutes', () => ({ timeout: Duration.minutes(15) }),
      'Importer/Settings: timeout 15 minutes is out of range; expected 1 to 14 minutes'],
    ['vpcSubnets without vpc', () => ({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }),
      'Importer/Settings: vpcSubnets is set without vpc; expected vpc too, or neither'],
    ['securityGroups without vpc', (stack: Stack) => ({ securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0')] }),
      'Importer/Settings: securityGroups is set without vpc; expected vpc too, or neither'],
    ['logRetention with logGroup', (stack: Stack) => ({ logRetention: logs.RetentionDays.ONE_MONTH, logGroup: new logs.LogGroup(stack, 'Mine') }),
      'Importer/Settings: logRetention (30 days) is set with logGroup; expected one of them'],
    ['a runtime older than the default', () => ({ runtime: lambda.Runtime.NODEJS_22_X }),
      'Importer/Settings: runtime nodejs22.x is older than the default, nodejs24.x; expected lambda.Runtime.NODEJS_24_X or a newer '
      + 'Node.js runtime (nodejsNN.x, NN at least 24)'],
    ['a Node.js runtime without a version', () => ({ runtime: new lambda.Runtime('nodejs', lambda.RuntimeFamily.NODEJS) }),
      'Importer/Settings: runtime nodejs is older than the default, nodejs24.x; expected lambda.Runtime.NODEJS_24_X or a newer'],
    ['a runtime of another language', () => ({ runtime: lambda.Runtime.PYTHON_3_13 }),
      'Importer/Settings: runtime python3.13 is not a Node.js runtime; expected lambda.Runtime.NODEJS_24_X or a newer Node.js '
      + 'runtime (nodejsNN.x, NN at least 24): the handlers are JavaScript bundles'],
    ['an OS-only runtime', () => ({ runtime: lambda.Runtime.PROVIDED_AL2023 }),
      'Importer/Settings: runtime provided.al2023 is not a Node.js runtime; expected lambda.Runtime.NODEJS_24_X'],
    ['an architecture Lambda does not offer', () => ({ architecture: lambda.Architecture.custom('riscv64') }),
      'Importer/Settings: architecture riscv64 is not one Lambda offers; expected lambda.Architecture.ARM_64 or lambda.Architecture.X86_64'],
    ['an application log level with TEXT', () => ({ loggingFormat: lambda.LoggingFormat.TEXT, applicationLogLevel: lambda.ApplicationLogLevel.ERROR }),
      'Importer/Settings: applicationLogLevel (ERROR) is set with loggingFormat Text; expected loggingFormat JSON, or no loggingFormat '
      + '(a log level then means JSON): Lambda filters log levels only in the JSON format'],
    ['a system log level with TEXT', () => ({ loggingFormat: lambda.LoggingFormat.TEXT, systemLogLevel: lambda.SystemLogLevel.WARN }),
      'Importer/Settings: systemLogLevel (WARN) is set with loggingFormat Text; expected loggingFormat JSON'],
    ['both log levels with TEXT', () => ({
      loggingFormat: lambda.LoggingFormat.TEXT, applicationLogLevel: lambda.ApplicationLogLevel.INFO, systemLogLevel: lambda.SystemLogLevel.INFO,
    }), 'Importer/Settings: applicationLogLevel (INFO) and systemLogLevel (INFO) are set with loggingFormat Text; expected loggingFormat JSON'],
  ] as Array<[string, (stack: Stack) => ComprehendProviderProps, string]>)('%s', (_, props, message) => {
    expect(configure(props)).toThrow(message);
  });

  test('configure() twice with the same settings, from two constructs: one set of providers, with those settings', () => {
    const stack = importerStack();
    const vpc = vpcOf(stack);
    const group = new ec2.SecurityGroup(stack, 'FunctionsSg', { vpc });
    // Equal settings in other objects: a new subnet selection, array and Duration.
    ComprehendProvider.configure(new Construct(stack, 'TeamA'), {
      vpc, vpcSubnets: { subnetGroupName: 'Isolated' }, securityGroups: [group], timeout: Duration.minutes(10), memorySize: 512,
    });
    ComprehendProvider.configure(new Construct(stack, 'TeamB'), {
      vpc, vpcSubnets: { subnetGroupName: 'Isolated' }, securityGroups: [group], timeout: Duration.seconds(600), memorySize: 512,
    });
    new ImportedComprehendModel(stack, 'A', { sourceModelArn: SOURCE }).addEndpoint('Endpoint');
    new ImportedComprehendModel(stack, 'B', { sourceModelArn: SOURCE.replace('tickets', 'invoices') });
    // After the provider exists, the same settings once more change nothing.
    ComprehendProvider.configure(new Construct(stack, 'TeamC'), {
      vpc, vpcSubnets: { subnetGroupName: 'Isolated' }, securityGroups: [group], timeout: Duration.minutes(10), memorySize: 512,
    });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::Lambda::Function', 5);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    for (const fn of Object.values(handlers(template))) {
      expect(fn.Properties).toMatchObject({ MemorySize: 512, Timeout: 600 });
    }
    for (const fn of Object.values(functions(template))) {
      expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([stack.resolve(group.securityGroupId)]);
    }
  });

  test('configure() twice with other settings, from two constructs: an error that names both and the settings that differ', () => {
    const stack = importerStack();
    ComprehendProvider.configure(new Construct(stack, 'TeamA'), { memorySize: 512, waiterLogLevel: sfn.LogLevel.ERROR });

    expect(() => ComprehendProvider.configure(new Construct(stack, 'TeamB'), {
      memorySize: 1024, waiterLogLevel: sfn.LogLevel.ERROR, logRetention: logs.RetentionDays.ONE_MONTH,
    })).toThrow('Importer/TeamB: ComprehendProvider.configure() asks for other settings of the stack\'s providers than Importer/TeamA did '
      + '(memorySize, logRetention)');
  });

  test('configure() twice with equal runtimes, architectures and log settings in other objects: no error, one set of settings', () => {
    const stack = importerStack();
    ComprehendProvider.configure(new Construct(stack, 'TeamA'), {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevel: lambda.ApplicationLogLevel.WARN,
      systemLogLevel: lambda.SystemLogLevel.WARN,
    });
    ComprehendProvider.configure(new Construct(stack, 'TeamB'), {
      runtime: new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS),
      architecture: lambda.Architecture.custom('arm64'),
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevel: lambda.ApplicationLogLevel.WARN,
      systemLogLevel: lambda.SystemLogLevel.WARN,
    });
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE });

    for (const fn of Object.values(functions(Template.fromStack(stack)))) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    }
  });

  test('configure() twice with other runtimes, architectures and log settings: an error naming each that differs', () => {
    const stack = importerStack();
    ComprehendProvider.configure(new Construct(stack, 'TeamA'), {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevel: lambda.ApplicationLogLevel.WARN,
      systemLogLevel: lambda.SystemLogLevel.WARN,
    });

    expect(() => ComprehendProvider.configure(new Construct(stack, 'TeamB'), {
      runtime: new lambda.Runtime('nodejs26.x', lambda.RuntimeFamily.NODEJS),
      architecture: lambda.Architecture.X86_64,
      applicationLogLevel: lambda.ApplicationLogLevel.ERROR,
      systemLogLevel: lambda.SystemLogLevel.WARN,
    })).toThrow('Importer/TeamB: ComprehendProvider.configure() asks for other settings of the stack\'s providers than Importer/TeamA did '
      + '(runtime, architecture, loggingFormat, applicationLogLevel)');
  });

  test.each([
    ['architecture', { architecture: lambda.Architecture.ARM_64 }],
    ['runtime', { runtime: lambda.Runtime.NODEJS_24_X }],
    ['loggingFormat', { loggingFormat: lambda.LoggingFormat.JSON }],
    ['applicationLogLevel', { applicationLogLevel: lambda.ApplicationLogLevel.ERROR }],
    ['systemLogLevel', { systemLogLevel: lambda.SystemLogLevel.WARN }],
  ] as Array<[string, ComprehendProviderProps]>)('configure() with %s after a share created the policy provider: an error naming that share', (_, props) => {
    const stack = sharer();

    expect(() => ComprehendProvider.configure(new Construct(stack, 'Settings'), props))
      .toThrow('Sharer/Settings: ComprehendProvider.configure() comes after Sharer/Share created the stack\'s ComprehendModelPolicyProvider');
  });

  test('configure() twice with two VPCs: an error naming vpc', () => {
    const stack = importerStack();
    const first = new ec2.Vpc(stack, 'First', { natGateways: 0 });
    const second = new ec2.Vpc(stack, 'Second', { natGateways: 0 });
    ComprehendProvider.configure(new Construct(stack, 'TeamA'), { vpc: first });

    expect(() => ComprehendProvider.configure(new Construct(stack, 'TeamB'), { vpc: second }))
      .toThrow(/^Importer\/TeamB: .* than Importer\/TeamA did \(vpc\)/);
  });

  test('configure() after an ImportedComprehendModel created the provider with the defaults: an error naming that model', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE });

    expect(() => ComprehendProvider.configure(new Construct(stack, 'Settings'), { memorySize: 512 }))
      .toThrow('Importer/Settings: ComprehendProvider.configure() comes after Importer/Model created the stack\'s ComprehendProvider with the default settings');
  });

  test('configure() asking for nothing after a provider was created is fine: it asks for the defaults the provider has', () => {
    const stack = importerStack();
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE });

    expect(() => ComprehendProvider.configure(new Construct(stack, 'Settings'), {})).not.toThrow();
  });

  test('configure() after a provider that another copy of the library created (found in the tree): an error', () => {
    const stack = importerStack();
    // What another copy of the library leaves in the tree: a provider this copy's records do not know.
    new Construct(stack, 'ComprehendProvider');

    expect(() => ComprehendProvider.configure(new Construct(stack, 'Settings'), { memorySize: 512 }))
      .toThrow('Importer/Settings: ComprehendProvider.configure() comes after a construct of another copy of this library created the stack\'s ComprehendProvider');
  });

  test('configure() after a SharedModelPolicy created the policy provider with the defaults: an error naming that share', () => {
    const stack = sharer();

    expect(() => ComprehendProvider.configure(new Construct(stack, 'Settings'), { memorySize: 512 }))
      .toThrow('Sharer/Settings: ComprehendProvider.configure() comes after Sharer/Share created the stack\'s ComprehendModelPolicyProvider');
  });

  test('configure() after a share of a classifier of the stack, which needs no provider, is fine', () => {
    const stack = sharerStack();
    // Another model than the one sharer() shares: a classifier's ModelPolicy leaves no room for a second share.
    const classifier = new comprehend.CfnDocumentClassifier(stack, 'Classifier', {
      documentClassifierName: 'invoices',
      versionName: 'v1',
      dataAccessRoleArn: `arn:aws:iam::${SHARER}:role/training`,
      languageCode: 'en',
      inputDataConfig: { s3Uri: 's3://training-data/tickets.csv' },
    });
    new SharedModelPolicy(stack, 'Own', { documentClassifier: classifier, importerAccounts: [IMPORTER] });
    ComprehendProvider.configure(stack, { memorySize: 512 });
    sharer(undefined, stack);

    for (const fn of Object.values(handlers(Template.fromStack(stack)))) {
      expect(fn.Properties.MemorySize).toBe(512);
    }
  });
});

describe('PermissionsBoundary.of() and Tags.of() reach every role, function, log group and state machine', () => {
  /** Every setting that adds or changes resources. */
  const allSettings: Settings = stack => ({
    architecture: lambda.Architecture.ARM_64,
    runtime: lambda.Runtime.NODEJS_24_X,
    applicationLogLevel: lambda.ApplicationLogLevel.INFO,
    systemLogLevel: lambda.SystemLogLevel.WARN,
    vpc: vpcOf(stack),
    logRetention: logs.RetentionDays.ONE_MONTH,
    memorySize: 512,
    timeout: Duration.minutes(10),
    environmentEncryption: new kms.Key(stack, 'EnvKey', { enableKeyRotation: true }),
    waiterLogLevel: sfn.LogLevel.ERROR,
  });

  test.each([
    ['importer (endpoint, modelKey), defaults', () => importer(undefined, { modelKey: true }), { roles: 6, functions: 5, logGroups: 4, stateMachines: 1 }],
    ['importer (endpoint, modelKey), settings', () => importer(allSettings, { modelKey: true }), { roles: 6, functions: 5, logGroups: 4, stateMachines: 1 }],
    ['importer, own log group', () => importer(s => ({ logGroup: new logs.LogGroup(s, 'MyLogs') })), { roles: 4, functions: 5, logGroups: 1, stateMachines: 1 }],
    ['sharer, defaults', () => sharer(), { roles: 2, functions: 2, logGroups: 2, stateMachines: 0 }],
    ['sharer, settings', () => sharer(allSettings), { roles: 2, functions: 2, logGroups: 2, stateMachines: 0 }],
  ] as const)('%s', (_, build, counts) => {
    const stack = build();
    const boundary = iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'team-boundary');
    iam.PermissionsBoundary.of(stack).apply(boundary);
    Tags.of(stack).add('team', 'nlp');
    const template = Template.fromStack(stack);

    // The functions' roles, the waiter's, and with modelKey the service roles of the import and the endpoint.
    const roles = Object.entries(resourcesOf(template, 'AWS::IAM::Role'));
    expect(roles).toHaveLength(counts.roles);
    for (const [id, role] of roles) {
      expect([id, role.Properties.PermissionsBoundary]).toEqual([id, stack.resolve(boundary.managedPolicyArn)]);
    }
    const tagged: Array<[string, number]> = [
      ['AWS::IAM::Role', counts.roles],
      ['AWS::Lambda::Function', counts.functions],
      ['AWS::Logs::LogGroup', counts.logGroups],
      ['AWS::StepFunctions::StateMachine', counts.stateMachines],
      ['AWS::EC2::SecurityGroup', Object.keys(resourcesOf(template, 'AWS::EC2::SecurityGroup')).length],
    ];
    for (const [type, count] of tagged) {
      const resources = Object.entries(resourcesOf(template, type));
      expect([type, resources.length]).toEqual([type, count]);
      for (const [id, resource] of resources) {
        expect([id, resource.Properties.Tags]).toEqual([id, expect.arrayContaining([{ Key: 'team', Value: 'nlp' }])]);
      }
    }
  });
});

describe('cdk-nag AwsSolutions with provider settings', () => {
  /** The findings, but the test's own VPC's: it has no flow logs (AwsSolutions-VPC7), which is the user's business. */
  function libraryFindings(stack: Stack): string[] {
    const report = new AwsSolutionsChecks().validateScope(stack);
    return report.violations.flatMap(v => v.violatingResources
      .filter(r => !(v.ruleName === 'AwsSolutions-VPC7' && r.constructPath === `${stack.node.path}/Vpc/Resource`))
      .map(r => `${v.ruleName} at ${r.constructPath}`));
  }

  test.each(kinds)('%s in a VPC, with subnets and security groups: no unacknowledged finding', (_, build) => {
    const stack = build(s => {
      const vpc = vpcOf(s);
      return { vpc, vpcSubnets: { subnetGroupName: 'Isolated' }, securityGroups: [new ec2.SecurityGroup(s, 'FunctionsSg', { vpc })] };
    });

    expect(libraryFindings(stack)).toEqual([]);
  });

  test.each(kinds)('%s on arm64, a newer runtime, JSON logs with levels: no unacknowledged finding', (_, build) => {
    const stack = build(() => ({
      architecture: lambda.Architecture.ARM_64,
      runtime: new lambda.Runtime('nodejs26.x', lambda.RuntimeFamily.NODEJS),
      applicationLogLevel: lambda.ApplicationLogLevel.WARN,
      systemLogLevel: lambda.SystemLogLevel.WARN,
    }));
    Template.fromStack(stack);

    expect(libraryFindings(stack)).toEqual([]);
  });

  test('importer in a VPC, a security group per function, own environment key and log group: no unacknowledged finding', () => {
    const stack = importer(s => ({
      vpc: vpcOf(s),
      environmentEncryption: new kms.Key(s, 'EnvKey', { enableKeyRotation: true }),
      logGroup: new logs.LogGroup(s, 'MyLogs'),
    }));

    expect(libraryFindings(stack)).toEqual([]);
  });
});
