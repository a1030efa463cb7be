"""Inputs of the validator: policy files, CloudFormation templates and Terraform plans."""
