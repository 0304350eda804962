"""The declarations a person writes: `layers/<name>/layer.toml` and `functions/<name>/function.toml`.

Owns parsing and checking them against Lambda's rules, and nothing else: it reads no lockfile,
writes no file and calls no tool. Imports only the shared modules of `layerkit`.
"""
