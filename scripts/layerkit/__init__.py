"""layerkit: reproducible AWS Lambda layer zips from `layers/<name>/`.

The pipeline runs one way: `layer_config` parses layer.toml, `resolve` writes the
lockfiles, `install` puts a lockfile's wheels into a staging folder, `layout` picks
the files that go into the zip, `deterministic_zip` writes it, and `manifest`
records every artifact for Terraform. `build` sequences them for one layer.
"""
