"""Bulk imports from CSV and XLSX files: the generic reader and checks (base), and one module
per kind of file (cadres, ...)."""
