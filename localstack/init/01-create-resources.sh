#!/bin/bash
# LocalStack READY hook (mounted at /etc/localstack/init/ready.d): creates the
# DynamoDB table and the two S3 buckets of stage `localstack`, idempotently.
#
# Opt-in: it does something only when the container runs with
# STORAGE_INIT_RESOURCES=1 ("resources only" mode, see localstack/README.md).
# Leave it off when you `serverless deploy --stage localstack`: that deployment's
# CloudFormation stack creates the same table and buckets itself, and fails if
# they already exist.
#
# The table definition is NOT written here: storage-table.create.json and
# storage-table.ttl.json are generated from infra/storage-table.json by
# `npm run localstack:generate` (CI runs it with --check).
set -euo pipefail

if [ "${STORAGE_INIT_RESOURCES:-0}" != "1" ]; then
  echo "[storage-init] STORAGE_INIT_RESOURCES is not 1: not creating the table and buckets (deploy mode)."
  exit 0
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CREATE_JSON="${HERE}/storage-table.create.json"
TTL_JSON="${HERE}/storage-table.ttl.json"

# Since LocalStack 4 init hooks get no AWS credentials of their own; "test" maps
# to account 000000000000, the same one `serverless deploy` and the admin tool use.
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"

# The names serverless.yml gives stage `localstack`:
#   table  ${self:service}-${sls:stage}   buckets  ${self:service}-${sls:stage}-files / -replica
TABLE="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["TableName"])' "${CREATE_JSON}")"
FILES_BUCKET="${TABLE}-files"
REPLICA_BUCKET="${TABLE}-replica"

if awslocal dynamodb describe-table --table-name "${TABLE}" >/dev/null 2>&1; then
  echo "[storage-init] table ${TABLE} exists"
else
  awslocal dynamodb create-table --cli-input-json "file://${CREATE_JSON}" >/dev/null
  echo "[storage-init] created table ${TABLE}"
fi
awslocal dynamodb wait table-exists --table-name "${TABLE}"

ttl_status="$(awslocal dynamodb describe-time-to-live --table-name "${TABLE}" \
  --query 'TimeToLiveDescription.TimeToLiveStatus' --output text 2>/dev/null || true)"
if [ "${ttl_status}" = "ENABLED" ] || [ "${ttl_status}" = "ENABLING" ]; then
  echo "[storage-init] time to live already on for ${TABLE}"
else
  awslocal dynamodb update-time-to-live --cli-input-json "file://${TTL_JSON}" >/dev/null
  echo "[storage-init] time to live on for ${TABLE}"
fi

for bucket in "${FILES_BUCKET}" "${REPLICA_BUCKET}"; do
  if awslocal s3api head-bucket --bucket "${bucket}" >/dev/null 2>&1; then
    echo "[storage-init] bucket ${bucket} exists"
  else
    if [ "${AWS_DEFAULT_REGION}" = "us-east-1" ]; then
      awslocal s3api create-bucket --bucket "${bucket}" >/dev/null
    else
      awslocal s3api create-bucket --bucket "${bucket}" \
        --create-bucket-configuration "LocationConstraint=${AWS_DEFAULT_REGION}" >/dev/null
    fi
    echo "[storage-init] created bucket ${bucket}"
  fi
done

echo "[storage-init] ready: table ${TABLE}, buckets ${FILES_BUCKET}, ${REPLICA_BUCKET}"
