// Issue 34: the synth-time warnings about the providers' settings and the endpoints' quotas (isolated subnets,
// configure() on a stack without the models, more endpoints or inference units than Comprehend's default quotas),
// each under both values of @aws-cdk/core:enablePartitionLiterals, which none of them may depend on.
import { Annotations as CoreAnnotations, App, NestedStack, Stack, Stage, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ComprehendProvider, ImportedComprehendModel, ModelEndpoint, SharedModelPolicy } from '../src';
import { IMPORTER, REGION, SHARER, SOURCE_CLASSIFIER as SOURCE } from './support/fixtures';
import { ENDPOINT_QUOTA_WARNING, INFERENCE_UNIT_QUOTA_WARNING } from '../src/private/provider-endpoint';
import { ISOLATED_SUBNETS_WARNING, UNUSED_SETTINGS_WARNING } from '../src/private/provider-settings';

jest.setTimeout(120_000);

const ENV = { account: IMPORTER, region: REGION };
/** A warning id, escaped for a regular expression. */
const id = (warning: string) => warning.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The end of every such warning: how to acknowledge it, then aws-cdk-lib's ack tag. */
const ACK = (warning: string) => `acknowledgeWarning\\('${id(warning)}'\\) \\[ack: ${id(warning)}\\]$`;

describe.each([true, false])('with @aws-cdk/core:enablePartitionLiterals %s', partitionLiterals => {
  const newApp = () => new App({ context: { '@aws-cdk/core:enablePartitionLiterals': partitionLiterals } });
  const newStack = (scope: App | Stage = newApp(), stackId = 'Importer', env: { account?: string; region?: string } = ENV) =>
    new Stack(scope, stackId, { env });
  /** A copy of the model of the stack's Region, which creates the stack's Comprehend provider. */
  const importInto = (scope: Stack, modelId = 'Model') => new ImportedComprehendModel(scope, modelId, {
    sourceModelArn: Token.isUnresolved(scope.region) ? SOURCE : SOURCE.replace(REGION, scope.region),
  });

  describe(`isolated subnets (${ISOLATED_SUBNETS_WARNING})`, () => {
    /** A VPC with isolated subnets only, or with public and private subnets with egress too. */
    const vpcOf = (stack: Stack, { isolatedOnly }: { isolatedOnly: boolean }) => new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: isolatedOnly ? 0 : 1,
      subnetConfiguration: isolatedOnly
        ? [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }]
        : [
          { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
          { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        ],
    });
    const WARNING = Match.stringLikeRegexp(
      '^ComprehendProvider.configure\\(\\) puts every function of the providers in isolated subnets: vpcSubnets selects .*' +
      'PRIVATE_ISOLATED.*no route out of the VPC.*no VPC endpoint of this VPC for comprehend, cloudformation, s3, lambda, states:.*' +
      'Expected subnets with a route out \\(vpcSubnets: \\{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS \\}.*' +
      ACK(ISOLATED_SUBNETS_WARNING));
    const ANY = Match.stringLikeRegexp(id(ISOLATED_SUBNETS_WARNING));

    test('warns when vpcSubnets selects isolated subnets', () => {
      const stack = newStack();
      const vpc = vpcOf(stack, { isolatedOnly: false });
      ComprehendProvider.configure(stack, { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
      importInto(stack).addEndpoint('Endpoint');

      Annotations.fromStack(stack).hasWarning('/Importer', WARNING);
    });

    test('warns when the VPC\'s default selection is its isolated subnets', () => {
      const stack = newStack();
      ComprehendProvider.configure(stack, { vpc: vpcOf(stack, { isolatedOnly: true }) });
      importInto(stack);

      Annotations.fromStack(stack).hasWarning('/Importer', Match.stringLikeRegexp(
        'vpcSubnets is unset, and the VPC\'s default selection is Importer/Vpc/IsolatedSubnet1, ' +
        'Importer/Vpc/IsolatedSubnet2, all of them isolated'));
    });

    test('warns for subnets given by ID that an imported VPC lists as isolated, and names them', () => {
      const stack = newStack();
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZones: ['us-west-2a', 'us-west-2b'],
        isolatedSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
      });
      const subnets = [ec2.Subnet.fromSubnetId(stack, 'Subnet', 'subnet-0aaaaaaaaaaaaaaa1')];
      ComprehendProvider.configure(stack, { vpc, vpcSubnets: { subnets } });
      importInto(stack);

      Annotations.fromStack(stack).hasWarning('/Importer', Match.stringLikeRegexp('vpcSubnets selects subnet-0aaaaaaaaaaaaaaa1, all of them isolated'));
    });

    test('names only the services without an endpoint of the VPC in the app', () => {
      const stack = newStack();
      const vpc = vpcOf(stack, { isolatedOnly: true });
      vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
      vpc.addInterfaceEndpoint('Comprehend', { service: ec2.InterfaceVpcEndpointAwsService.COMPREHEND });
      ComprehendProvider.configure(stack, { vpc });
      importInto(stack);

      Annotations.fromStack(stack).hasWarning('/Importer', Match.stringLikeRegexp('no VPC endpoint of this VPC for cloudformation, lambda, states:'));
    });

    test('no warning for private subnets with egress, chosen or by default', () => {
      for (const vpcSubnets of [undefined, { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }]) {
        const stack = newStack();
        ComprehendProvider.configure(stack, { vpc: vpcOf(stack, { isolatedOnly: false }), vpcSubnets });
        importInto(stack).addEndpoint('Endpoint');

        Annotations.fromStack(stack).hasNoWarning('*', ANY);
      }
    });

    test('no warning when one of the subnets selected is not isolated', () => {
      const stack = newStack();
      const vpc = vpcOf(stack, { isolatedOnly: false });
      ComprehendProvider.configure(stack, { vpc, vpcSubnets: { subnets: [vpc.isolatedSubnets[0], vpc.privateSubnets[1]] } });
      importInto(stack);

      Annotations.fromStack(stack).hasNoWarning('*', ANY);
    });

    test('no warning when the app gives the VPC an endpoint for every service the functions call, in another stack too', () => {
      const app = newApp();
      const network = newStack(app, 'Network');
      const vpc = vpcOf(network, { isolatedOnly: true });
      vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
      for (const [name, service] of Object.entries({
        Comprehend: ec2.InterfaceVpcEndpointAwsService.COMPREHEND,
        CloudFormation: ec2.InterfaceVpcEndpointAwsService.CLOUDFORMATION,
        Lambda: ec2.InterfaceVpcEndpointAwsService.LAMBDA,
      })) {
        vpc.addInterfaceEndpoint(name, { service });
      }
      const stack = newStack(app);
      ComprehendProvider.configure(stack, { vpc });
      importInto(stack);
      // After configure(), and made outside the VPC construct: seen all the same.
      new ec2.InterfaceVpcEndpoint(network, 'StepFunctions', { vpc, service: ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS });

      Annotations.fromStack(stack).hasNoWarning('*', ANY);
    });

    test('acknowledging the id removes it, before or after configure()', () => {
      for (const before of [true, false]) {
        const stack = newStack();
        if (before) {
          CoreAnnotations.of(stack).acknowledgeWarning(ISOLATED_SUBNETS_WARNING);
        }
        ComprehendProvider.configure(stack, { vpc: vpcOf(stack, { isolatedOnly: true }) });
        importInto(stack);
        if (!before) {
          CoreAnnotations.of(stack).acknowledgeWarning(ISOLATED_SUBNETS_WARNING);
        }

        Annotations.fromStack(stack).hasNoWarning('*', ANY);
      }
    });
  });

  describe(`configure() on a stack without the models (${UNUSED_SETTINGS_WARNING})`, () => {
    const ANY = Match.stringLikeRegexp(id(UNUSED_SETTINGS_WARNING));

    test('warns on the configured stack, and names the stack that runs the defaults', () => {
      const app = newApp();
      const configured = newStack(app, 'Settings');
      ComprehendProvider.configure(configured, { logRetention: logs.RetentionDays.TEN_YEARS });
      const models = newStack(app, 'Models');
      importInto(models).addEndpoint('Endpoint');

      Annotations.fromStack(configured).hasWarning('/Settings', Match.stringLikeRegexp(
        '^ComprehendProvider.configure\\(\\) sets the providers of stack Settings \\(settings: logRetention\\), but no ' +
        'ImportedComprehendModel, ModelEndpoint or SharedModelPolicy of that stack runs through a provider, so the settings ' +
        'reach nothing, while stack Models holds such constructs and run their providers with the default settings. ' +
        'Expected configure\\(\\) with the stack that holds those constructs as scope.*' + ACK(UNUSED_SETTINGS_WARNING)));
      Annotations.fromStack(models).hasNoWarning('*', ANY);
    });

    test('warns on a parent stack whose models are in a nested stack, which has providers of its own', () => {
      const stack = newStack();
      ComprehendProvider.configure(stack, { logRetention: logs.RetentionDays.TEN_YEARS });
      importInto(new NestedStack(stack, 'Nested'));

      Annotations.fromStack(stack).hasWarning('/Importer', Match.stringLikeRegexp('while stack Importer/Nested holds such constructs'));
    });

    test('warns, naming no other stack, when none in the app holds the models; the configuring construct carries it', () => {
      const stack = newStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 });
      ComprehendProvider.configure(vpc, { vpc });

      Annotations.fromStack(stack).hasWarning('/Importer/Vpc', Match.stringLikeRegexp(
        'stack Importer \\(settings: vpc\\), but .* so the settings reach nothing\\. Expected'));
    });

    test('no warning on the stack that holds an import, an endpoint or a share, or on a configured nested stack', () => {
      const app = newApp();
      const importer = newStack(app, 'Importer');
      ComprehendProvider.configure(importer, { logRetention: logs.RetentionDays.TEN_YEARS });
      importInto(importer);
      const serving = newStack(app, 'Serving');
      ComprehendProvider.configure(serving, { logRetention: logs.RetentionDays.TEN_YEARS });
      new ModelEndpoint(serving, 'Endpoint', { model: ImportedComprehendModel.fromModelArn(serving, 'Copy', SOURCE.replace('111122223333', IMPORTER)) });
      const sharer = newStack(app, 'Sharer', { account: SHARER, region: REGION });
      ComprehendProvider.configure(sharer, { logRetention: logs.RetentionDays.TEN_YEARS });
      new SharedModelPolicy(sharer, 'Share', { modelArn: SOURCE, importerAccounts: [IMPORTER] });
      const parent = newStack(app, 'Parent');
      const nested = new NestedStack(parent, 'Nested');
      ComprehendProvider.configure(nested, { logRetention: logs.RetentionDays.TEN_YEARS });
      importInto(nested);

      for (const stack of [importer, serving, sharer, parent]) {
        Annotations.fromStack(stack).hasNoWarning('*', ANY);
      }
    });

    test('acknowledging the id removes it', () => {
      const app = newApp();
      const configured = newStack(app, 'Settings');
      ComprehendProvider.configure(configured, { logRetention: logs.RetentionDays.TEN_YEARS });
      importInto(newStack(app, 'Models'));
      CoreAnnotations.of(configured).acknowledgeWarning(UNUSED_SETTINGS_WARNING);

      Annotations.fromStack(configured).hasNoWarning('*', ANY);
    });
  });

  describe(`Comprehend's quotas (${ENDPOINT_QUOTA_WARNING}, ${INFERENCE_UNIT_QUOTA_WARNING})`, () => {
    const ENDPOINTS = Match.stringLikeRegexp(id(ENDPOINT_QUOTA_WARNING));
    const UNITS = Match.stringLikeRegexp(id(INFERENCE_UNIT_QUOTA_WARNING));

    /** `count` endpoints of one copy in `stack`, each with `units` inference units, scaling up to `maxCapacity` if given. */
    function serve(stack: Stack, count: number, units: number, maxCapacity?: number): ModelEndpoint[] {
      const model = importInto(stack);
      return Array.from({ length: count }, (_, i) => {
        const endpoint = model.addEndpoint(`Endpoint${i}`, { desiredInferenceUnits: units });
        if (maxCapacity !== undefined) {
          endpoint.autoScaleInferenceUnits({ minCapacity: units, maxCapacity });
        }
        return endpoint;
      });
    }

    test('warns on a stack of 11 endpoints; 11 of 10 units each pass the units too', () => {
      const stack = newStack();
      serve(stack, 11, 10);

      Annotations.fromStack(stack).hasWarning('/Importer', Match.stringLikeRegexp(
        `^stack Importer creates 11 Comprehend endpoints \\(ModelEndpoint\\) in account ${IMPORTER}, Region ${REGION}, more ` +
        'than Comprehend\'s default quota of 10 active endpoints per account and Region: .*ResourceLimitExceededException.*' +
        'ask for a higher quota \\(Service Quotas.*' + ACK(ENDPOINT_QUOTA_WARNING)));
      Annotations.fromStack(stack).hasWarning('/Importer', Match.stringLikeRegexp(
        `^stack Importer gives its 11 Comprehend endpoints \\(ModelEndpoint\\) in account ${IMPORTER}, Region ${REGION} up ` +
        'to 110 inference units in all \\(desiredInferenceUnits\\), more than Comprehend\'s default quota of 100 inference ' +
        'units per account and Region: .*lower desiredInferenceUnits or maxCapacity.*' + ACK(INFERENCE_UNIT_QUOTA_WARNING)));
    });

    test('counts the maxCapacity an endpoint scales to, and says so', () => {
      const stack = newStack();
      serve(stack, 11, 1, 10);

      Annotations.fromStack(stack).hasWarning('/Importer', Match.stringLikeRegexp(
        'up to 110 inference units in all \\(desiredInferenceUnits, counting the maxCapacity of autoScaleInferenceUnits\\(\\) ' +
        '\\(or of a scheduled action\\) for an endpoint that scales, since its scaling can reach it\\)'));
    });

    test('counts the maxCapacity of a scheduled action, which sets the scaling range', () => {
      const stack = newStack();
      // 99 units, and two endpoints whose schedule lets them reach 10 rather than 9: 101.
      const endpoints = serve(stack, 11, 9);
      for (const endpoint of endpoints.slice(0, 2)) {
        endpoint.autoScaleInferenceUnits({ minCapacity: 1, maxCapacity: 9 })
          .scaleOnSchedule('Day', { schedule: appscaling.Schedule.cron({ hour: '6', minute: '0' }), maxCapacity: 10 });
      }

      Annotations.fromStack(stack).hasWarning('/Importer', Match.stringLikeRegexp('up to 101 inference units in all'));
    });

    test('no warning for exactly 10 endpoints of 10 units each, beside endpoints referenced by ARN', () => {
      const stack = newStack();
      serve(stack, 10, 10);
      for (let i = 0; i < 3; i++) {
        ModelEndpoint.fromEndpointArn(stack, `Existing${i}`,
          `arn:aws:comprehend:${REGION}:${IMPORTER}:document-classifier-endpoint/existing-${i}`);
      }

      Annotations.fromStack(stack).hasNoWarning('*', ENDPOINTS);
      Annotations.fromStack(stack).hasNoWarning('*', UNITS);
    });

    test('11 endpoints of 1 unit pass the endpoints only', () => {
      const stack = newStack();
      serve(stack, 11, 1);

      Annotations.fromStack(stack).hasWarning('/Importer', ENDPOINTS);
      Annotations.fromStack(stack).hasNoWarning('*', UNITS);
    });

    test('sums the stacks of one account and Region, nested stacks included, and warns on each', () => {
      const app = newApp();
      const first = newStack(app, 'First');
      serve(first, 4, 1);
      serve(new NestedStack(first, 'Nested'), 2, 1);
      const second = newStack(app, 'Second');
      serve(second, 5, 1);
      // Another Region, and a stack without an environment: counted apart.
      serve(newStack(app, 'Elsewhere', { account: IMPORTER, region: 'us-east-1' }), 10, 1);
      serve(newStack(app, 'Agnostic', {}), 10, 1);

      const together = Match.stringLikeRegexp(
        `^stacks First, First/Nested and Second create 11 Comprehend endpoints \\(ModelEndpoint\\) in account ${IMPORTER}, Region ${REGION},`);
      Annotations.fromStack(first).hasWarning('/First', together);
      Annotations.fromStack(second).hasWarning('/Second', together);
      for (const stack of ['Elsewhere', 'Agnostic']) {
        Annotations.fromStack(app.node.findChild(stack) as Stack).hasNoWarning('*', ENDPOINTS);
      }
    });

    test('a stack without an environment counts with its nested stacks', () => {
      const stack = newStack(newApp(), 'Agnostic', {});
      serve(stack, 6, 1);
      serve(new NestedStack(stack, 'Nested'), 5, 1);

      Annotations.fromStack(stack).hasWarning('/Agnostic', Match.stringLikeRegexp(
        '^stacks Agnostic and Agnostic/Nested create 11 Comprehend endpoints \\(ModelEndpoint\\) in the stack\'s account and Region,'));
    });

    test('acknowledging one id removes that warning only', () => {
      const stack = newStack();
      serve(stack, 11, 10);
      CoreAnnotations.of(stack).acknowledgeWarning(ENDPOINT_QUOTA_WARNING);

      Annotations.fromStack(stack).hasNoWarning('*', ENDPOINTS);
      Annotations.fromStack(stack).hasWarning('/Importer', UNITS);

      CoreAnnotations.of(stack).acknowledgeWarning(INFERENCE_UNIT_QUOTA_WARNING);
      Annotations.fromStack(stack).hasNoWarning('*', UNITS);
    });

    test('an acknowledgement on a Stage reaches its stacks; one on the App does not reach a warning added at synth', () => {
      const app = newApp();
      const stage = new Stage(app, 'Prod');
      const staged = newStack(stage);
      serve(staged, 11, 1);
      const top = newStack(app, 'Top', { account: IMPORTER, region: 'us-east-1' });
      serve(top, 11, 1);
      CoreAnnotations.of(stage).acknowledgeWarning(ENDPOINT_QUOTA_WARNING);
      CoreAnnotations.of(app).acknowledgeWarning(ENDPOINT_QUOTA_WARNING);

      Annotations.fromStack(staged).hasNoWarning('*', ENDPOINTS);
      Annotations.fromStack(top).hasWarning('/Top', ENDPOINTS);
    });
  });
});
