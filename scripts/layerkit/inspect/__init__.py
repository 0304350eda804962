"""Running what the build wrote: `make invoke` runs a function with its layers as Lambda would.

Reads the manifest and the zips; never changes them. Imports `build`, `report`, `config`
and the shared modules, never `deploy`.
"""
