"""From `layers/<name>/` to zips and `build/manifest.json`: lock, install, lay out, zip, record.

One module per step (`resolve` and `lockfile` for locking, `install`, `layout`,
`deterministic_zip`, `bytecode`, `sbom`, `manifest`); `pipeline` runs them for every artifact.
Calls uv, never AWS or Terraform. Imports `config`, `report` and the shared modules.
"""
