"""Converters between AWS export formats or world files and the frozen world model; no database.

- `auth_details`: `aws iam get-account-authorization-details` output ⇄ Account.
- `organizations`: a directory of AWS Organizations CLI outputs ⇄ Organization.
- `worldfile_writer`: World → the world-file format `iamtwin.world.worldfile.load_world` reads.

Readers raise `ExportFileError` (a WorldFileError naming the file) with a stable code and path.
"""
