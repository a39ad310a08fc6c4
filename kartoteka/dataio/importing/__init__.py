"""Import of companies, contacts, leads, deals and products from CSV, XLSX and vCard files.

The pipeline is plain functions without requests, so a view, a worker, the CLI and the benchmark share it:
readers (file → header and rows) → mapping (columns → fields) → rows (validate one row) → writer (dedupe and
write a batch) → jobs (`run_import(job)`: batches, position, counts) → undo.
"""
