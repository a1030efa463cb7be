"""iamtwin.analyze: questions over the world and the audit trail.

Who can, what can, external access, escalation paths, least privilege from activity.
"""
