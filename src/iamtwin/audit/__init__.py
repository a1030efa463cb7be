"""The audit trail: every API call as a CloudTrail-shaped, hash-chained event in the world database.

event (the record) <- redact, readonly, identity (its fields) <- store (append, read) <- chain
(verify, prune) <- recorder (buffered writes) <- api_call, decisions (events from the server).
"""
