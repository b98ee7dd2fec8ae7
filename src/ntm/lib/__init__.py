"""The ground floor no app owns: request parameters, upload checks, number and date formatting.

Modules here import Django and the standard library only, never an `ntm` app.
"""
