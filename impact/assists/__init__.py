"""The assisted-submission log and the procedure catalogue: dossiers volunteers helped with."""
