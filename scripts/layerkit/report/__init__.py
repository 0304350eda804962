"""What each function gets once Lambda merges its layers into /opt: sizes, shadowed paths, conflicts.

Reads the zips and the manifest's records, never builds or writes them (but for its own
`report.json`). The build runs it before writing the manifest, so an error here withholds
the manifest. Imports `config` and the shared modules.
"""
