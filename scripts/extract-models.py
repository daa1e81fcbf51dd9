#!/usr/bin/env python3
"""Writes the botocore models OpenRunner checks requests against into src/model/.

Each file keeps only the operations OpenRunner serves and the shapes they reach, without
documentation: what validation (types, constraints) and the audit trail need. Run it after
upgrading botocore or serving a new operation:

    python3 scripts/extract-models.py

src/model/models.test.ts fails when an API serves an operation its model file lacks.
"""
import gzip
import json
import os

import botocore

DATA = os.path.join(os.path.dirname(botocore.__file__), "data")
OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "model"))

SERVED = {
    ("logs", "2014-03-28"): [
        "CreateLogGroup", "CreateLogStream", "DeleteLogGroup", "DeleteLogStream", "DeleteRetentionPolicy",
        "DescribeLogGroups", "DescribeLogStreams", "FilterLogEvents", "GetLogEvents", "PutLogEvents",
        "PutRetentionPolicy",
    ],
    ("events", "2015-10-07"): [
        "DeleteRule", "DescribeEventBus", "DescribeRule", "DisableRule", "EnableRule", "ListEventBuses",
        "ListRuleNamesByTarget", "ListRules", "ListTargetsByRule", "PutEvents", "PutRule", "PutTargets",
        "RemoveTargets", "TestEventPattern",
    ],
    ("cloudwatch", "2010-08-01"): ["GetMetricData", "GetMetricStatistics", "ListMetrics"],
    ("cloudtrail", "2013-11-01"): ["LookupEvents"],
    ("iam", "2010-05-08"): [
        "AddRoleToInstanceProfile", "AddUserToGroup", "AttachGroupPolicy", "AttachRolePolicy", "AttachUserPolicy",
        "CreateAccessKey", "CreateGroup", "CreateInstanceProfile", "CreatePolicy", "CreatePolicyVersion", "CreateRole",
        "CreateServiceLinkedRole", "CreateUser", "DeleteAccessKey", "DeleteGroup", "DeleteGroupPolicy",
        "DeleteInstanceProfile", "DeletePolicy", "DeletePolicyVersion", "DeleteRole", "DeleteRolePolicy", "DeleteUser",
        "DeleteUserPolicy", "DetachGroupPolicy", "DetachRolePolicy", "DetachUserPolicy", "GetAccessKeyLastUsed",
        "GetGroup", "GetGroupPolicy", "GetInstanceProfile", "GetPolicy", "GetPolicyVersion", "GetRole", "GetRolePolicy",
        "GetUser", "GetUserPolicy", "ListAccessKeys", "ListAttachedGroupPolicies", "ListAttachedRolePolicies",
        "ListAttachedUserPolicies", "ListEntitiesForPolicy", "ListGroupPolicies", "ListGroups", "ListGroupsForUser",
        "ListInstanceProfiles", "ListInstanceProfilesForRole", "ListPolicies", "ListPolicyVersions", "ListRolePolicies",
        "ListRoleTags", "ListRoles", "ListUserPolicies", "ListUserTags", "ListUsers", "PutGroupPolicy", "PutRolePolicy",
        "PutUserPolicy", "RemoveRoleFromInstanceProfile", "RemoveUserFromGroup", "SetDefaultPolicyVersion", "TagRole",
        "TagUser", "UntagRole", "UntagUser", "UpdateAccessKey", "UpdateAssumeRolePolicy", "UpdateRole", "UpdateRoleDescription",
        "UpdateUser",
    ],
    ("ecr", "2015-09-21"): [
        "BatchDeleteImage", "BatchGetImage", "CreateRepository", "DeleteLifecyclePolicy", "DeleteRepository",
        "DescribeImages", "DescribeRepositories", "GetAuthorizationToken", "GetLifecyclePolicy",
        "GetLifecyclePolicyPreview", "ListImages", "ListTagsForResource", "PutImageTagMutability", "PutLifecyclePolicy",
        "StartLifecyclePolicyPreview", "TagResource", "UntagResource",
    ],
    ("secretsmanager", "2017-10-17"): [
        "CreateSecret", "DeleteSecret", "DescribeSecret", "GetResourcePolicy", "GetSecretValue", "ListSecretVersionIds",
        "ListSecrets", "PutSecretValue", "RestoreSecret", "TagResource", "UntagResource", "UpdateSecret",
    ],
    ("kms", "2014-11-01"): [
        "CancelKeyDeletion", "CreateAlias", "CreateKey", "Decrypt", "DeleteAlias", "DescribeKey", "DisableKey",
        "DisableKeyRotation", "EnableKey", "EnableKeyRotation", "Encrypt", "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext", "GetKeyPolicy", "GetKeyRotationStatus", "ListAliases",
        "ListKeyPolicies", "ListKeys", "ListResourceTags", "PutKeyPolicy", "ReEncrypt", "ScheduleKeyDeletion",
        "TagResource", "UntagResource", "UpdateAlias",
    ],
    ("ssm", "2014-11-06"): [
        "AddTagsToResource", "DeleteParameter", "DeleteParameters", "DescribeParameters", "GetParameter",
        "GetParameterHistory", "GetParameters", "GetParametersByPath", "LabelParameterVersion", "ListTagsForResource",
        "PutParameter", "RemoveTagsFromResource", "UnlabelParameterVersion",
    ],
}

# Shapes botocore does not mark sensitive that carry credentials: marked here so the audit
# trail hides them (ECR's authorizationToken is base64("AWS:" + a registry password)).
SENSITIVE = {
    ("ecr", "2015-09-21"): ["Base64"],
}

METADATA_KEYS = ["apiVersion", "endpointPrefix", "jsonVersion", "protocol", "serviceId", "signingName", "targetPrefix", "uid"]
OPERATION_KEYS = ["name", "input", "output", "errors"]
SHAPE_KEYS = ["type", "members", "required", "member", "key", "value", "min", "max", "pattern", "enum", "sensitive", "error", "exception"]


def reachable(shapes, roots):
    seen = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        refs = [m["shape"] for m in shape.get("members", {}).values()]
        refs += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
        todo.extend(refs)
    return seen


def trim_shape(shape):
    out = {k: shape[k] for k in SHAPE_KEYS if k in shape}
    if "members" in out:
        out["members"] = {name: {"shape": ref["shape"]} for name, ref in out["members"].items()}
    for k in ("member", "key", "value"):
        if k in out:
            out[k] = {"shape": out[k]["shape"]}
    return out


def extract(service, version, operations):
    with gzip.open(os.path.join(DATA, service, version, "service-2.json.gz")) as f:
        model = json.load(f)
    ops = {}
    roots = []
    for name in operations:
        op = model["operations"][name]
        ops[name] = {k: op[k] for k in OPERATION_KEYS if k in op}
        roots += [op[k]["shape"] for k in ("input", "output") if k in op]
        roots += [e["shape"] for e in op.get("errors", [])]
    shapes = {name: trim_shape(model["shapes"][name]) for name in sorted(reachable(model["shapes"], roots))}
    for name in SENSITIVE.get((service, version), []):
        shapes[name]["sensitive"] = True
    metadata = {k: model["metadata"][k] for k in METADATA_KEYS if k in model["metadata"]}
    # awsQuery APIs (IAM) answer in XML under their namespace (src/protocol/query/).
    if model["metadata"]["protocol"] == "query":
        metadata["xmlNamespace"] = model["metadata"]["xmlNamespace"]
    # botocore leaves signingName out where it is the endpoint prefix; SigV4 needs it spelled out.
    metadata.setdefault("signingName", metadata["endpointPrefix"])
    metadata["botocoreVersion"] = botocore.__version__
    path = os.path.join(OUT, f"{service}-{version}.json")
    with open(path, "w") as f:
        json.dump({"metadata": metadata, "operations": ops, "shapes": shapes}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{path}: {len(ops)} operations, {len(shapes)} shapes")


for (service, version), operations in SERVED.items():
    extract(service, version, operations)
