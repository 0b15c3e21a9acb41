#!/usr/bin/env python3
"""Writes src/private/comprehend-regions-data.ts, the Regions the constructs' Region check knows, from botocore's data.

Usage: comprehend-regions.py [--botocore PATH] [--check]

PATH is the botocore package (the folder with __init__.py and data/, as in an unpacked wheel); without it, the botocore
the running interpreter imports. --check writes nothing: it fails (exit 1) when the committed file differs from what
that botocore says. CI runs it so with the botocore it pins (.ci/run, step emulator-check). Standard library only.

Where the data comes from (botocore 1.44.8):
- The Regions of each partition: data/partitions.json, the partitions the SDKs' endpoint rule sets resolve with, whose
  lists are newer than data/endpoints.json's (1.44.8 lists me-west-1 and sa-west-1 there and not in endpoints.json).
  Its `aws-global`-style entries are pseudo-Regions, not Region codes: only the entries that match the partition's
  regionRegex are kept. endpoints.json's own lists are added, in case a Region is only there.
- The Regions where Comprehend is offered: data/endpoints.json, services.comprehend.endpoints, the only per-service
  Region list botocore has (Comprehend's endpoint rule set, data/comprehend/2017-11-27/endpoint-rule-set-1.json.gz,
  builds a host name for any Region and names none). Its `fips-*` entries are deprecated aliases of a Region's FIPS
  endpoint (`credentialScope.region` names the Region), not Regions, and are skipped, as is any other entry that is not
  a Region of the partition or is marked deprecated.

What the sources say (botocore 1.44.8, cfn-lint 1.58.0):
- botocore's endpoints.json lists Comprehend in 12 Regions of partition aws (ap-northeast-1, ap-northeast-2, ap-south-1,
  ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, us-east-1, us-east-2, us-west-2: not
  us-west-1, eu-west-3 or sa-east-1, say), in us-gov-west-1 (not us-gov-east-1), us-iso-east-1, us-isof-east-1 and
  us-isof-south-1. Partitions aws-cn, aws-iso-b, aws-iso-e and aws-eusc have no comprehend service: the partitions
  whose model ARNs the constructs accept (COMPREHEND_PARTITIONS, src/contract/model-arn.ts) are the four that have one,
  and test/comprehend-regions.test.ts keeps the two the same.
- cfn-lint's data/schemas/providers/REGION.json (the CloudFormation resource types of each Region): us-west-1 has no
  AWS::Comprehend::* type, as botocore says, and of partition aws exactly the 12 Regions above have
  AWS::Comprehend::DocumentClassifier. us-gov-west-1 has no AWS::Comprehend::* type, though botocore has its API there
  (the constructs' imports and endpoints are custom resources that call the API). The files of the isolated
  partitions' Regions and of eusc-de-east-1 are identical to us-east-1's, every type included, even where botocore has
  no Comprehend endpoint (us-iso-west-1, us-isob-east-1, eu-isoe-west-1): stand-ins, so botocore is the source.
"""
import argparse
import difflib
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "src", "private", "comprehend-regions-data.ts")
OUTPUT_NAME = "src/private/comprehend-regions-data.ts"
# Within the lint's 150 columns, as the rest of the sources.
WIDTH = 120


def locate_botocore(path):
    """The botocore package's folder and version: `path`'s, or the importable botocore's."""
    if path is None:
        import botocore  # noqa: PLC0415 (only when no path is given)

        return os.path.dirname(botocore.__file__), botocore.__version__
    if not os.path.isfile(os.path.join(path, "data", "endpoints.json")) and os.path.isdir(os.path.join(path, "botocore")):
        path = os.path.join(path, "botocore")
    with open(os.path.join(path, "__init__.py"), encoding="utf-8") as init:
        match = re.search(r"^__version__ = ['\"]([^'\"]+)['\"]", init.read(), re.MULTILINE)
    if not match:
        sys.exit(f"{path}/__init__.py has no __version__: is {path} the botocore package?")
    return path, match.group(1)


def read_json(package, name):
    with open(os.path.join(package, "data", name), encoding="utf-8") as data:
        return json.load(data)


def region_data(package):
    """The Regions of each partition, and the Regions of each partition where Comprehend is offered."""
    partitions = {}
    for partition in read_json(package, "partitions.json")["partitions"]:
        pattern = re.compile(partition["regionRegex"])
        partitions[partition["id"]] = {region for region in partition["regions"] if pattern.match(region)}
    comprehend = {}
    for partition in read_json(package, "endpoints.json")["partitions"]:
        name = partition["partition"]
        regions = partitions.setdefault(name, set())
        regions.update(partition["regions"])
        endpoints = partition["services"].get("comprehend", {}).get("endpoints", {})
        offered = {region for region, endpoint in endpoints.items() if region in regions and not endpoint.get("deprecated")}
        if offered:
            comprehend[name] = offered
    return partitions, comprehend


def string_array(items, indent):
    """A TypeScript array of strings, one line if it fits, else wrapped within WIDTH."""
    quoted = [f"'{item}'" for item in items]
    one_line = "[" + ", ".join(quoted) + "]"
    if len(indent) + len(one_line) + 2 <= WIDTH:
        return one_line
    lines, line = [], ""
    inner = indent + "  "
    for item in quoted:
        candidate = f"{line} {item}," if line else f"{inner}{item},"
        if len(candidate) > WIDTH:
            lines.append(line)
            candidate = f"{inner}{item},"
        line = candidate
    lines.append(line)
    return "[\n" + "\n".join(lines) + "\n" + indent + "]"


def render(version, partitions, comprehend):
    out = [
        f"// Generated by projenrc/comprehend-regions.py from botocore {version}'s data/partitions.json and data/endpoints.json:",
        "// do not edit. Refresh it with `python3 projenrc/comprehend-regions.py` in an environment with the botocore .ci/run",
        "// pins (or --botocore PATH); CI fails when it differs from that botocore's (--check).",
        "",
        "/** The botocore release the data comes from. */",
        f"export const BOTOCORE_VERSION = '{version}';",
        "",
        "/** The Region codes of each partition (partitions.json, without its pseudo-Regions such as aws-global). */",
        "export const PARTITION_REGIONS: { readonly [partition: string]: readonly string[] } = {",
    ]
    for name in sorted(partitions):
        out.append(f"  '{name}': {string_array(sorted(partitions[name]), '  ')},")
    out += [
        "};",
        "",
        "/** The Regions of each partition where Amazon Comprehend is offered (endpoints.json's services.comprehend, without fips-*). */",
        "export const COMPREHEND_REGIONS: { readonly [partition: string]: readonly string[] } = {",
    ]
    for name in sorted(comprehend):
        out.append(f"  '{name}': {string_array(sorted(comprehend[name]), '  ')},")
    out += ["};", ""]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--botocore", metavar="PATH", help="the botocore package (default: the importable botocore)")
    parser.add_argument("--check", action="store_true", help=f"fail if {OUTPUT_NAME} differs; write nothing")
    args = parser.parse_args()

    package, version = locate_botocore(args.botocore)
    partitions, comprehend = region_data(package)
    text = render(version, partitions, comprehend)

    if args.check:
        try:
            with open(OUTPUT, encoding="utf-8") as committed:
                current = committed.read()
        except FileNotFoundError:
            current = ""
        if current != text:
            sys.stdout.writelines(difflib.unified_diff(
                current.splitlines(keepends=True), text.splitlines(keepends=True), OUTPUT_NAME, f"botocore {version}"))
            print(f"{OUTPUT_NAME} is not botocore {version}'s: run python3 projenrc/comprehend-regions.py and commit it",
                  file=sys.stderr)
            return 1
        print(f"{OUTPUT_NAME} is botocore {version}'s")
        return 0
    with open(OUTPUT, "w", encoding="utf-8") as output:
        output.write(text)
    print(f"wrote {OUTPUT_NAME} ({len(text.encode())} bytes) from botocore {version} ({package})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
