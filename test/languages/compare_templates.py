"""Asserts that another language's example (Python, Go) synthesizes templates that match the TypeScript example's where
it matters.

    python compare_templates.py OTHER_LANGUAGE_CDK_OUT TYPESCRIPT_CDK_OUT

Compares, resource by resource: in the importer stack both imported models (Custom::ComprehendImportedModel, with
their DeletionPolicy), the service role Comprehend assumes and the import handler role's policy; in the sharer
stack the existing model's policy (Custom::ComprehendModelPolicy) and its handler role's policy. Prints one line
per check and a closing "N passed, N failed" line; exits 1 on any failure.
"""
import json
import os
import re
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        # Asset hashes differ only if the bundled handlers differ, which the TypeScript tests cover.
        resources = json.loads(re.sub(r"[0-9a-f]{64}", "<asset-hash>", f.read()))["Resources"]
    # The CDK CLI adds construct paths as Metadata; a plain `python app.py` does not.
    for resource in resources.values():
        resource.pop("Metadata", None)
    return resources


def is_comprehend_service_role(resource):
    statements = resource["Properties"]["AssumeRolePolicyDocument"]["Statement"] if resource["Type"] == "AWS::IAM::Role" else []
    return any(s.get("Principal", {}).get("Service") == "comprehend.amazonaws.com" for s in statements)


def main(other_out, typescript_out):
    def pick(resources, predicate):
        return {logical_id: r for logical_id, r in resources.items() if predicate(logical_id, r)}

    checks = [
        ("ComprehendImporter", "imported models", lambda i, r: r["Type"] == "Custom::ComprehendImportedModel"),
        ("ComprehendImporter", "Comprehend service role", lambda i, r: is_comprehend_service_role(r)),
        ("ComprehendImporter", "provider handler role policy",
         lambda i, r: r["Type"] == "AWS::IAM::Policy" and i.startswith("ComprehendProviderHandlerRoleDefaultPolicy")),
        ("ComprehendSharer", "shared model policy", lambda i, r: r["Type"] == "Custom::ComprehendModelPolicy"),
        ("ComprehendSharer", "policy handler role policy",
         lambda i, r: r["Type"] == "AWS::IAM::Policy" and i.startswith("ComprehendModelPolicyProviderHandlerRoleDefaultPolicy")),
    ]
    passed = failed = 0
    for stack, name, predicate in checks:
        other = load(os.path.join(other_out, f"{stack}.template.json"))
        typescript = load(os.path.join(typescript_out, f"{stack}.template.json"))
        expected, actual = pick(typescript, predicate), pick(other, predicate)
        if expected and expected == actual:
            passed += 1
            print(f"ok: {name} ({', '.join(sorted(expected))})")
        else:
            failed += 1
            print(f"FAILED: {name}\n  TypeScript: {json.dumps(expected, sort_keys=True)}\n  other:      {json.dumps(actual, sort_keys=True)}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
