"""The example in Python: the sharer's policy for the existing model (as examples/sharer-stack.ts) and the same two
imports as examples/importer-stack.ts.

CI builds the Python package with jsii-pacmak, installs it with aws-cdk-lib into a fresh virtual environment,
runs this app and compares its templates with the TypeScript example's (test/languages/compare_templates.py).

    python app.py OUTDIR
"""
import sys

from aws_cdk import App, Duration, Environment, RemovalPolicy, Stack, Tags
from aws_cdk import aws_kms as kms
from cdk_comprehend_model_import import (
    EvaluationMetricMinimums,
    ImportedComprehendModel,
    QualityGate,
    SharedModelPolicy,
)

SHARER = "111122223333"
IMPORTER = "444455556666"
REGION = "us-west-2"
EXISTING_MODEL = f"arn:aws:comprehend:{REGION}:{SHARER}:entity-recognizer/product-names/version/v3"

app = App(outdir=sys.argv[1] if len(sys.argv) > 1 else "cdk.out")

sharer = Stack(app, "ComprehendSharer", env=Environment(account=SHARER, region=REGION))
SharedModelPolicy(sharer, "ShareProductNames", model_arn=EXISTING_MODEL, importer_accounts=[IMPORTER])

stack = Stack(app, "ComprehendImporter", env=Environment(account=IMPORTER, region=REGION))

ImportedComprehendModel(
    stack,
    "ProductNames",
    source_model_arn=EXISTING_MODEL,
    # A plain-text recognizer reports its metrics from 0 to 100.
    quality_gate=QualityGate(minimum=EvaluationMetricMinimums(f1_score=80, precision=80), no_worse_than_replaced=True),
    tags={"team": "catalog"},
)

model_key = kms.Key(
    stack,
    "ModelKey",
    description="Encrypts the imported support-tickets classifier",
    enable_key_rotation=True,
    removal_policy=RemovalPolicy.DESTROY,
)
ImportedComprehendModel(
    stack,
    "SupportTickets",
    source_model_arn=f"arn:aws:comprehend:{REGION}:{SHARER}:document-classifier/support-tickets/version/v1",
    source_model_key=kms.Key.from_key_arn(
        stack, "SharerKey", f"arn:aws:kms:{REGION}:{SHARER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    ),
    model_key=model_key,
    model_name="support-tickets",
    removal_policy=RemovalPolicy.RETAIN,
    timeout=Duration.minutes(30),
)

Tags.of(stack).add("cost-center", "nlp")
app.synth()
