"""What a caller of the custom checks chooses from: the resource types CheckNoPublicAccess accepts, the solver timeout.

Free of z3, so that the command line can show them in `--help` without loading the solver.
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoPublicAccess.html
"""

from __future__ import annotations

# How long each solver query may run before its answer is UNKNOWN.
DEFAULT_TIMEOUT_MS = 10_000

# The resource types CheckNoPublicAccess accepts, and the service prefix of the actions on each.
RESOURCE_TYPE_SERVICES: dict[str, str] = {
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::DynamoDB::Stream": "dynamodb",
    "AWS::EFS::FileSystem": "elasticfilesystem",
    "AWS::OpenSearchService::Domain": "es",
    "AWS::Kinesis::Stream": "kinesis",
    "AWS::Kinesis::StreamConsumer": "kinesis",
    "AWS::KMS::Key": "kms",
    "AWS::Lambda::Function": "lambda",
    "AWS::S3::Bucket": "s3",
    "AWS::S3::AccessPoint": "s3",
    "AWS::S3Express::DirectoryBucket": "s3express",
    "AWS::S3Express::AccessPoint": "s3express",
    "AWS::S3::Glacier": "glacier",
    "AWS::S3Outposts::Bucket": "s3-outposts",
    "AWS::S3Outposts::AccessPoint": "s3-outposts",
    "AWS::SecretsManager::Secret": "secretsmanager",
    "AWS::SNS::Topic": "sns",
    "AWS::SQS::Queue": "sqs",
    "AWS::IAM::AssumeRolePolicyDocument": "sts",
    "AWS::S3Tables::TableBucket": "s3tables",
    "AWS::S3Tables::Table": "s3tables",
    "AWS::ApiGateway::RestApi": "execute-api",
    "AWS::CodeArtifact::Domain": "codeartifact",
    "AWS::Backup::BackupVault": "backup",
    "AWS::CloudTrail::Dashboard": "cloudtrail",
    "AWS::CloudTrail::EventDataStore": "cloudtrail",
}
