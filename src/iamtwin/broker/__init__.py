"""The temporary elevated access broker: eligibility, requests, approvals, time-bound sessions, revocation.

Stages, one module each: `rules` (who may ask for what, who approves) → `quorum` (whether approvals
suffice) → `transitions` (pure state changes of a request, with an injected clock) → `store` (requests,
approvals, events and issued sessions in the world database) → `issuance` (sessions through STS with
boto3) and `revocation` (deny policies on the target role through IAM) → `service` (the checks made on
every call, tying them together).
"""
