"""The broker's defaults that an operator may override on the command line.

Kept apart from the modules that use them, which import boto3, SQLAlchemy or httpx, so that
`iamtwin --help` can show them without loading any of those.
"""

from __future__ import annotations

# Where STS and IAM are: an `iamtwin serve` on this machine (`aws` on the command line for real AWS).
DEFAULT_ENDPOINT = "http://127.0.0.1:8777"
# The role in each target account through which the broker puts and removes deny policies.
DEFAULT_MANAGER_ROLE = "ElevatedAccessBrokerIam"
# Where a console sign-in URL lands, and the issuer it names (the federation endpoint's `Destination`
# and `Issuer`, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html).
AWS_CONSOLE = "https://console.aws.amazon.com/"
DEFAULT_ISSUER = "iamtwin-broker"
