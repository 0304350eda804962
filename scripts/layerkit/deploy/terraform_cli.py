"""Runs the Terraform CLI (Terraform or OpenTofu) through python-terraform.

python-terraform builds each command line. This module adds the few things it lacks,
each in one place:
- an environment per command, for TF_DATA_DIR and the local AWS's credentials: it hands
  every command a copy of this process's, so `_Terraform.cmd` runs the command line it
  built with the one `_environment` gives, and os.environ is never changed;
- a clean stop on Ctrl-C: the CLI gets the same SIGINT and stops gracefully, and
  `_Terraform.cmd` waits for it before the caller stops anything it talks to;
- one line for a failed command: `TerraformError`.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_terraform import IsFlagged, IsNotFlagged, Terraform

from layerkit.errors import LayerError

INSTALL = "install Terraform >= 1.5 or OpenTofu >= 1.8 and put it on PATH (see docs/terraform.md, 'Versions')"
_BOX = re.compile(r"^[│╷╵] ?")
_EXCERPT = re.compile(r"^\s+(on .* line \d+|with \S+,$|\d+:|[├│])")
"""The lines of a diagnostic that show where it is: its location, source lines and values."""
_GRACEFUL_STOP_S = 60


class TerraformError(LayerError):
    """A Terraform command failed; the message is its first error, and `output` all it printed."""

    def __init__(self, message: str, output: str) -> None:
        super().__init__(message)
        self.output = output


def find_cli(name: str | None) -> str:
    """The CLI to run: `name` if given, else `terraform` on PATH, else `tofu`."""
    for candidate in [name] if name else ["terraform", "tofu"]:
        if shutil.which(candidate):
            return candidate
    wanted = name or "terraform or tofu"
    raise LayerError(f"{wanted}: not found on PATH; {INSTALL}")


@dataclass(frozen=True)
class Workspace:
    """The root configuration, where its state and plugins live, and what each command gets."""

    root: Path
    cli: str
    data_dir: Path | None = None
    """TF_DATA_DIR; None: the root's .terraform/."""
    state: Path | None = None
    """The local backend's state file (the configuration declares `backend "local"`); None: as configured."""
    variables: Mapping[str, object] = field(default_factory=dict)
    environment: Mapping[str, str | None] = field(default_factory=dict)
    """Set for each command (None: unset), on top of this process's environment."""


class _Terraform(Terraform):  # type: ignore[misc]  # python-terraform has no type hints
    """python-terraform, with each command's environment given as its `env` option.

    Its `cmd` runs every command (init, plan and apply pass their options on to it) and gives
    the CLI a copy of this process's environment, with no way to give another. Only that
    method is replaced: the command line is still python-terraform's `generate_cmd_string`.
    """

    def cmd(
        self,
        cmd: str,
        *args: str,
        env: Mapping[str, str],
        capture_output: bool = True,
        **options: Any,  # noqa: ANN401 -- python-terraform's options
    ) -> tuple[int, str | None, str | None]:
        command = self.generate_cmd_string(cmd, *args, **options)
        out_to, err_to = (subprocess.PIPE, subprocess.PIPE) if capture_output else (sys.stdout, sys.stderr)
        try:
            process = subprocess.Popen(command, stdout=out_to, stderr=err_to, cwd=self.working_dir, env=dict(env))
            try:
                out, err = process.communicate()
            except KeyboardInterrupt:
                _wait_for(process)
                raise
        finally:
            self.temp_var_files.clean_up()  # the -var-file files generate_cmd_string wrote
        # python-terraform would also read the state file into `self.tfstate` here; nothing reads it.
        if not capture_output:
            return process.returncode, None, None
        return process.returncode, out.decode(), err.decode()


class TerraformCli:
    """init, plan, apply and output on one workspace; `stream=True` shows the CLI's own output as it runs."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._tf = _Terraform(
            working_dir=str(workspace.root),
            terraform_bin_path=workspace.cli,
            variables=dict(workspace.variables),
        )

    def init(self, backend_config: Path | None = None, *, reconfigure: bool = False) -> None:
        """Install the providers and modules, and set up the backend.

        `backend_config` is a partial backend configuration file; `reconfigure` starts the
        backend afresh, as switching between backends needs.
        """
        # init takes neither -state nor -var, and python-terraform would pass both; its default
        # -reconfigure would forget a partial backend configuration given before.
        config: str | dict[str, str] | None = str(backend_config) if backend_config else None
        if self.workspace.state:
            # The local backend's path, rather than -state: Terraform 1.10 deprecated that flag. Each
            # region's workspace beside it; and no migration to ask about, since both paths are ours.
            workspaces = self.workspace.state.parent / "terraform.tfstate.d"
            config = {"path": str(self.workspace.state), "workspace_dir": str(workspaces)}
            reconfigure = True
        flag = IsFlagged if reconfigure else IsNotFlagged
        self._call("init", self._tf.init, state=None, var=None, backend_config=config, reconfigure=flag)

    def plan(self, *, stream: bool = False, **options: Any) -> tuple[bool, str]:  # noqa: ANN401
        """Whether the plan has changes (-detailed-exitcode's 2), and what the CLI printed.

        `options` are more plan options in python-terraform's spelling, e.g. `out="tfplan"`.
        """
        code, output = self._call("plan", self._tf.plan, ok=(0, 2), capture_output=not stream, **options)
        return code == 2, output

    def apply(self, *, auto_approve: bool, stream: bool = False, **options: Any) -> str:  # noqa: ANN401
        """Apply; without auto_approve the CLI shows the plan and asks on the terminal.

        `options` are more apply options in python-terraform's spelling, e.g. `replace="<address>"`.
        """
        _, output = self._call(
            "apply",
            self._tf.apply,
            skip_plan=auto_approve,
            input=not auto_approve,
            capture_output=not stream,
            **options,
        )
        return output

    def output(self) -> dict[str, Any]:
        """Every root output's value."""
        _, output = self._call("output", self._tf.output_cmd, json=IsFlagged)
        return {name: value["value"] for name, value in json.loads(output).items()}

    def show(self) -> dict[str, Any]:
        """The state as `show -json` gives it."""
        _, output = self._call("show", self._tf.show_cmd, json=IsFlagged)
        return dict(json.loads(output))

    def state(self) -> dict[str, Any]:
        """The workspace's raw state (`state pull`), without starting a provider; empty when it has none."""
        _, output = self._call("state pull", self._tf.cmd, "state", "pull")
        return dict(json.loads(output)) if output.strip() else {}

    def run(self, command: str, *args: str, **options: Any) -> str:  # noqa: ANN401 -- python-terraform's options
        """Any other command (fmt, validate, test), with python-terraform's option spelling."""
        _, output = self._call(command, self._tf.cmd, command, *args, no_color=IsFlagged, **options)
        return output

    def _call(
        self,
        name: str,
        method: Callable[..., tuple[int, str | None, str | None]],
        *args: str,
        ok: tuple[int, ...] = (0,),
        **options: Any,  # noqa: ANN401
    ) -> tuple[int, str]:
        code, out, err = method(*args, env=self._environment(), **options)
        if code not in ok:
            detail = _first_error(err) if err is not None else "its errors are above"
            raise TerraformError(f"{self.workspace.cli} {name} failed: {detail}", (out or "") + (err or ""))
        return code, (out or "") + (err or "")

    def _environment(self) -> dict[str, str]:
        """The environment of one command: this process's, with the workspace's on top."""
        wanted: dict[str, str | None] = {"TF_IN_AUTOMATION": "1", **self.workspace.environment}
        if self.workspace.data_dir:
            wanted["TF_DATA_DIR"] = str(self.workspace.data_dir)
        environment = dict(os.environ)
        for key, value in wanted.items():
            if value is None:
                environment.pop(key, None)
            else:
                environment[key] = value
        return environment


def _first_error(stderr: str) -> str:
    """Terraform's first error as one line: its summary and its message, without the source excerpt."""
    lines = [_BOX.sub("", line).rstrip() for line in stderr.splitlines()]
    start = next((i for i, line in enumerate(lines) if line.startswith("Error: ")), None)
    if start is None:
        return next((line.strip() for line in lines if line.strip()), "no error message")
    words = [lines[start].removeprefix("Error: ") + ":"]
    for line in lines[start + 1 :]:
        if line.startswith(("Error: ", "Warning: ", "This was checked by")):
            break
        if line and not _EXCERPT.match(line):
            words.append(line.strip())
    return " ".join(words).removesuffix(":")


def _wait_for(process: subprocess.Popen[bytes]) -> None:
    """Wait while the CLI, which got the same Ctrl-C, stops gracefully and saves its state."""
    try:
        process.communicate(timeout=_GRACEFUL_STOP_S)  # drains its pipes, so it cannot block writing
    except subprocess.TimeoutExpired:
        return
    except KeyboardInterrupt:
        return  # a second Ctrl-C: the CLI got it too and exits at once
