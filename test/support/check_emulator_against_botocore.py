"""Checks what the Comprehend emulator answered in the test run against botocore's model of Comprehend.

Usage: check_emulator_against_botocore.py CALLS_DIR

CALLS_DIR holds the files the emulator writes when COMPREHEND_EMULATOR_CALLS_DIR is set (see comprehend-emulator.ts).
Three things must hold, or the emulator has drifted from the service it stands for:
- every operation the emulator serves exists in the model;
- every error it answers is one the operation lists (or one of AWS's common errors), with the model's HTTP status;
- every member it returns exists in the operation's output shape (or the error's shape), with the model's type,
  timestamps as epoch seconds.
"""
import glob
import json
import sys

import botocore
from botocore.loaders import Loader

# AWS's common errors, which any operation may answer and no operation's model lists, with their HTTP status: the
# Amazon Comprehend API Reference, "Common Errors" (https://docs.aws.amazon.com/comprehend/latest/APIReference/CommonErrors.html),
# which lists AccessDeniedException ("You do not have sufficient access to perform this action", HTTP Status Code: 400),
# the answer to a call the caller's IAM policy does not allow; botocore 1.44.8's Comprehend model lists it for no operation.
COMMON_ERRORS = {
    "AccessDeniedException": 400,
    "ThrottlingException": 400,
    "UnrecognizedClientException": 400,
    "UnknownOperationException": 400,
}

PYTHON_TYPES = {
    "string": str,
    "boolean": bool,
    "integer": int,
    "long": int,
    "float": (int, float),
    "double": (int, float),
    "timestamp": (int, float),
    "blob": str,
}


def check_value(model, shape_name, value, where, problems):
    shape = model["shapes"][shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{where}: a {type(value).__name__}, but {shape_name} is a structure")
            return
        for member, member_value in value.items():
            if member == "__type" and "error" in shape:
                continue
            if member not in shape["members"]:
                problems.append(f"{where}.{member}: no such member of {shape_name}")
            elif member_value is not None:
                check_value(model, shape["members"][member]["shape"], member_value, f"{where}.{member}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{where}: a {type(value).__name__}, but {shape_name} is a list")
            return
        for index, item in enumerate(value):
            check_value(model, shape["member"]["shape"], item, f"{where}[{index}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{where}: a {type(value).__name__}, but {shape_name} is a map")
    else:
        expected = PYTHON_TYPES[kind]
        if isinstance(value, bool) and kind != "boolean" or not isinstance(value, expected):
            problems.append(f"{where}: {value!r} is a {type(value).__name__}, but {shape_name} is a {kind}")
        elif kind == "string" and "enum" in shape and value not in shape["enum"]:
            problems.append(f"{where}: {value!r} is not one of {shape_name}'s values {shape['enum']}")


def main(calls_dir):
    model = Loader().load_service_model("comprehend", "service-2")
    files = sorted(glob.glob(f"{calls_dir}/calls-*.json"))
    if not files:
        print(f"no emulator calls in {calls_dir}: did the lifecycle tests run with COMPREHEND_EMULATOR_CALLS_DIR set?")
        return 1
    problems = []
    served = set()
    answers = 0
    for file in files:
        with open(file) as handle:
            recorded = json.load(handle)
        served.update(recorded["operations"])
        for answer in recorded["answers"]:
            answers += 1
            operation = model["operations"].get(answer["operation"])
            where = f"{answer['operation']} ({answer['outcome']})"
            if operation is None:
                if answer["outcome"] != "UnknownOperationException":
                    problems.append(f"{where}: no such operation in the model")
                continue
            if answer["outcome"] == "OK":
                if answer["status"] != 200:
                    problems.append(f"{where}: HTTP {answer['status']} for a success")
                if "output" in operation:
                    check_value(model, operation["output"]["shape"], answer["output"], where, problems)
                elif answer["output"]:
                    problems.append(f"{where}: returns {answer['output']!r}, but the operation has no output")
                continue
            listed = {error["shape"] for error in operation.get("errors", [])}
            error = answer["outcome"]
            if error in listed:
                expected_status = model["shapes"][error].get("error", {}).get("httpStatusCode", 400)
                check_value(model, error, answer["output"], where, problems)
            elif error in COMMON_ERRORS:
                expected_status = COMMON_ERRORS[error]
            else:
                problems.append(f"{where}: {error} is not an error {answer['operation']} lists ({', '.join(sorted(listed))})")
                continue
            if answer["status"] != expected_status:
                problems.append(f"{where}: HTTP {answer['status']}, but the model says {expected_status}")
    for operation in sorted(served):
        if operation not in model["operations"]:
            problems.append(f"{operation}: served by the emulator, but not in the model")
    unique = sorted(set(problems))
    for problem in unique:
        print(problem)
    print(f"botocore {botocore.__version__}: {len(served)} operations, {answers} answers from {len(files)} runs checked; "
          f"{len(unique)} problems")
    return 1 if unique else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
