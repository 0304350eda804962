"""What each function gets once Lambda merges its layers into /opt: sizes, shadowed paths, conflicts.

Reads the zips and the manifest's records (`layerkit.records`), never builds or writes them
(but for its own `report.json`), and never reads layers/. The build runs it on the records
before writing the manifest, so an error here withholds the manifest. Imports only the shared
modules.

- `contents`: what each zip puts on the import path, from its central directory and RECORD files.
- `analyses`: the checks on each function's contents; `analyse` is the entry point.
- `overlaps`: the paths more than one layer ships, whose copy is imported, and the `requires` hint.
- `model`: the report itself, as `report.json` and as the table; `write` saves it.
"""
