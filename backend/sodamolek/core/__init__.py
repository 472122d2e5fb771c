"""The bottom layer: helpers every domain may use and that know no domain.

Dates and numbers as Indonesians read them (WITA), files written safely, the shared rate limit,
masking of personal data, the NIK and NIP value objects, where the assets live and the small HTTP
vocabulary the views share. Nothing here imports from another sodamolek package
(import-linter enforces it; see docs/architecture.md).
"""
