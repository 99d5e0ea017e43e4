"""Conformance checks on built outputs (EPUBCheck, the Nu HTML Checker, PDF text and
structure, completeness against the source). Each module runs one checker and
returns plain data; ``exporter check`` and the test suite both use them.
"""
