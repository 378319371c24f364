"""Tests of the directory lab (tests/lab), a package so that its conftest is not a top-level `conftest`."""
