// The example in Go: the sharer's policy for the existing model (as examples/sharer-stack.ts) and the same two imports
// as examples/importer-stack.ts.
//
// CI generates the Go package with jsii-pacmak (npx projen package:go), builds and runs this app against it and
// aws-cdk-go v2.276.0, and compares its templates with the TypeScript example's (test/languages/compare_templates.py).
//
//	go run . OUTDIR
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"
	cmi "github.com/cdk-comprehend-model-import/cdk-comprehend-model-import-go/cdkcomprehendmodelimport"
)

const (
	sharer   = "111122223333"
	importer = "444455556666"
	region   = "us-west-2"
)

func main() {
	defer jsii.Close()

	outdir := "cdk.out"
	if len(os.Args) > 1 {
		outdir = os.Args[1]
	}
	existingModel := fmt.Sprintf("arn:aws:comprehend:%s:%s:entity-recognizer/product-names/version/v3", region, sharer)
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})

	sharerStack := awscdk.NewStack(app, jsii.String("ComprehendSharer"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String(sharer), Region: jsii.String(region)},
	})
	cmi.NewSharedModelPolicy(sharerStack, jsii.String("ShareProductNames"), &cmi.SharedModelPolicyProps{
		ModelArn:         jsii.String(existingModel),
		ImporterAccounts: jsii.Strings(importer),
	})

	stack := awscdk.NewStack(app, jsii.String("ComprehendImporter"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String(importer), Region: jsii.String(region)},
	})
	cmi.NewImportedComprehendModel(stack, jsii.String("ProductNames"), &cmi.ImportedComprehendModelProps{
		SourceModelArn: jsii.String(existingModel),
		// A plain-text recognizer reports its metrics from 0 to 100.
		QualityGate: &cmi.QualityGate{
			Minimum:             &cmi.EvaluationMetricMinimums{F1Score: jsii.Number(80), Precision: jsii.Number(80)},
			NoWorseThanReplaced: jsii.Bool(true),
		},
		Tags: &map[string]*string{"team": jsii.String("catalog")},
	})

	modelKey := awskms.NewKey(stack, jsii.String("ModelKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the imported support-tickets classifier"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
	})
	cmi.NewImportedComprehendModel(stack, jsii.String("SupportTickets"), &cmi.ImportedComprehendModelProps{
		SourceModelArn: jsii.String(fmt.Sprintf("arn:aws:comprehend:%s:%s:document-classifier/support-tickets/version/v1", region, sharer)),
		SourceModelKey: awskms.Key_FromKeyArn(stack, jsii.String("SharerKey"),
			jsii.String(fmt.Sprintf("arn:aws:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab", region, sharer))),
		ModelKey:      modelKey,
		ModelName:     jsii.String("support-tickets"),
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
		Timeout:       awscdk.Duration_Minutes(jsii.Number(30)),
	})

	awscdk.Tags_Of(stack).Add(jsii.String("cost-center"), jsii.String("nlp"), nil)
	app.Synth(nil)
}
