"""Driving Terraform and AWS: the root configuration, `make demo`, the local AWS and `make prune`.

Reads the manifest; never builds. Imports any other subpackage; none imports it.
"""
