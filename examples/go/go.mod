module github.com/cdk-comprehend-model-import/cdk-comprehend-model-import/examples/go

go 1.26.0

require (
	github.com/aws/aws-cdk-go/awscdk/v2 v2.276.0
	github.com/aws/jsii-runtime-go v1.142.0
	github.com/cdk-comprehend-model-import/cdk-comprehend-model-import-go/cdkcomprehendmodelimport v0.0.0
)

require (
	github.com/Masterminds/semver/v3 v3.5.0 // indirect
	github.com/aws/constructs-go/constructs/v10 v10.8.1 // indirect
	github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 v2.2.292 // indirect
	github.com/cdklabs/awscdk-asset-node-proxy-agent-go/nodeproxyagentv6/v2 v2.1.3 // indirect
	github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v55 v55.3.0 // indirect
	github.com/fatih/color v1.19.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/yuin/goldmark v1.7.16 // indirect
	golang.org/x/lint v0.0.0-20241112194109-818c5a804067 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/telemetry v0.0.0-20261009151841-97e8ea77aa2a // indirect
	golang.org/x/tools v0.52.0 // indirect
	golang.org/x/tools/cmd/godoc v0.1.0-deprecated // indirect
	golang.org/x/tools/godoc v0.1.0-deprecated // indirect
)

replace (
	// The package requires aws-cdk-go at the library's floor (aws-cdk-lib 2.273.0), which the Go module proxy does
	// not serve, and the jsii runtime of its pacmak (v1.140.0); both are replaced with the versions this app builds
	// with (aws-cdk-go v2.276.0 requires jsii-runtime-go v1.142.0, which minimal version selection takes anyway).
	github.com/aws/aws-cdk-go/awscdk/v2 v2.273.0 => github.com/aws/aws-cdk-go/awscdk/v2 v2.276.0
	github.com/aws/jsii-runtime-go v1.140.0 => github.com/aws/jsii-runtime-go v1.142.0
	// The package jsii-pacmak generates (npx projen package:go), not a published version.
	github.com/cdk-comprehend-model-import/cdk-comprehend-model-import-go/cdkcomprehendmodelimport => ../../dist/go/cdkcomprehendmodelimport
)
