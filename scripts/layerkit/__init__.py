"""layerkit: reproducible AWS Lambda layer zips from `layers/<name>/`, published by Terraform.

Subpackages, one per concern, each allowed to import only those above it in this list
(and the shared modules at this level: errors, suggest, wording, lambda_facts, fsutil, columns,
records, json_schema, build_dir, licenses); `tests/test_layout.py` holds that rule:

1. `config`: reads layer.toml and function.toml.
2. `report`: what a function gets once Lambda merges its layers; it gates the manifest.
3. `builder`: lockfiles, installs, zips, bytecode, SBOMs and the manifest; `builder.pipeline` runs them.
4. `inspect`: runs a built function locally, as Lambda would.
5. `deploy`: drives Terraform and AWS (or the local AWS).
6. `commands`: one module per CLI command, found through `commands.REGISTRY` and imported only
   when it runs; with `cli`, the only code that prints.

`cli` sits on top of all of them: it parses, dispatches and renders errors.
"""
