"""The wire API: IAM and STS over HTTP, as boto3 and the AWS CLI call them."""
