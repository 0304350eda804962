"""The build folder (`build/` by default): the one place that knows every path under it.

manifest.json        what Terraform reads (builder.manifest)
report.json          the last build's report on the functions (report.model)
audit.json           the last `make audit`'s findings against an advisory database (inspect.audit)
lock-failures/<layer>.txt  why the last `make lock` of that layer failed, until one succeeds (commands.lock)
.lock                held by a build for its whole run (fsutil.exclusive)
state/<key>.json     each artifact's record, so a later build can skip it (builder.state)
layers/<key>-<sha256[:16]>.zip      layer zips, named by content
functions/<name>-<sha256[:16]>.zip  function zips, named by content
sbom/<key>-<sha256[:16]>.cdx.json   each layer artifact's and function's SBOM (builder.sbom): a layer's
                                    named by its content, a function's by its inputs
.staging-*/          installs under way, removed when the build ends
local-aws/           Terraform's state and plugins for runs against a local AWS
demo/                the same for `make demo`, which starts empty each run
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path

_HASH_IN_NAME = 16
"""Hex digits of a zip's sha256 in its file name: enough to tell versions apart, short enough to read."""


@dataclass(frozen=True)
class BuildDir:
    """A build folder, as the person named it (relative paths stay relative in the manifest)."""

    root: Path

    def __str__(self) -> str:
        return str(self.root)

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    @property
    def report(self) -> Path:
        return self.root / "report.json"

    @property
    def audit(self) -> Path:
        return self.root / "audit.json"

    def lock_failure(self, layer: str) -> Path:
        return self.root / "lock-failures" / f"{layer}.txt"

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    def state(self, key: str) -> Path:
        return self.state_dir / f"{key}.json"

    @property
    def layers_dir(self) -> Path:
        return self.root / "layers"

    def layer_zip(self, key: str, sha256: str) -> Path:
        return self.layers_dir / f"{key}-{sha256[:_HASH_IN_NAME]}.zip"

    @property
    def functions_dir(self) -> Path:
        return self.root / "functions"

    def function_zip(self, name: str, sha256: str) -> Path:
        return self.functions_dir / f"{name}-{sha256[:_HASH_IN_NAME]}.zip"

    @property
    def sbom_dir(self) -> Path:
        return self.root / "sbom"

    def sbom(self, key: str, sha256: str) -> Path:
        """A layer artifact's or function's CycloneDX SBOM; `sha256` is of its content or its inputs."""
        return self.sbom_dir / f"{key}-{sha256[:_HASH_IN_NAME]}.cdx.json"

    @property
    def local_aws(self) -> Path:
        return self.root / "local-aws"

    def plan(self, region: str) -> Path:
        """The plan `make apply` saved for a region, to apply once it is approved."""
        return self.root / "plans" / f"{region}.tfplan"

    @property
    def demo(self) -> Path:
        return self.root / "demo"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    def staging(self) -> tempfile.TemporaryDirectory[str]:
        """A folder for one artifact's installs, on the zips' file system, removed when its block ends."""
        self.root.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(dir=self.root, prefix=".staging-")

    def keep_only(self, layer_zips: set[Path], function_zips: set[Path], states: set[Path], sboms: set[Path]) -> None:
        """Delete every zip, state file and SBOM not named here: those the new manifest no longer names."""
        keep = {
            self.layers_dir: {p.name for p in layer_zips},
            self.functions_dir: {p.name for p in function_zips},
            self.state_dir: {p.name for p in states},
            self.sbom_dir: {p.name for p in sboms},
        }
        for folder, names in keep.items():
            for stale in folder.iterdir() if folder.is_dir() else ():
                if stale.name not in names:
                    stale.unlink()
