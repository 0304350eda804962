"""Looking into what the build wrote: `make invoke` and `make audit`.

- `invoke`: runs a function with its layers as Lambda would.
- `advisories` and `audit`: which layers and functions ship a version an OSV advisory names.

Reads the manifest and the zips; never changes them (`audit` writes only its `audit.json`).
Imports `builder`, `report`, `config` and the shared modules, never `deploy`.
"""
