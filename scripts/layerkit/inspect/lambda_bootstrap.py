"""Runs one Lambda handler in this process, as the Python runtime does; standard library only.

`layerkit invoke` starts it as `python -I -S -B lambda_bootstrap.py ...`: no site-packages,
no user site, no PYTHON* variables, no bytecode written. It rebuilds Lambda's `sys.path`
(task folder, the layers' `python/lib/python3.X/site-packages`, the layers' `python/`, then
the stdlib), so an import that only works in the build's virtualenv fails here as on Lambda.
The result or the error, in Lambda's JSON shapes, goes to the file named by `result_path`.
"""

import importlib
import json
import os
import sys
import time
import traceback
import uuid
from pathlib import Path


class LambdaContext:
    """The attributes and method of the context object Lambda passes to a handler."""

    def __init__(self, timeout_ms: int) -> None:
        name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        region = os.environ["AWS_REGION"]
        self._deadline_ms = int(time.time() * 1000) + timeout_ms
        self.function_name = name
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{name}"
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _error(error_type: str, message: str, stack: list[str]) -> dict[str, object]:
    return {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": stack}


def _stack(exc: BaseException) -> list[str]:
    """The handler's frames, as Lambda reports them: this bootstrap's own frame left out."""
    tb = exc.__traceback__
    return traceback.format_list(traceback.extract_tb(tb.tb_next if tb else None))


def _run(handler_name: str, event_path: str, timeout_ms: int) -> tuple[dict[str, object] | None, str]:
    """The handler's result (or Lambda's error payload) and the JSON text to report."""
    module_name, _, function_name = handler_name.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 -- Lambda reports any import failure this way
        error = _error("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}", [])
        return error, json.dumps(error)
    handler = getattr(module, function_name, None)
    if handler is None:
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        error = _error("Runtime.HandlerNotFound", message, [])
        return error, json.dumps(error)
    event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    try:
        result = handler(event, LambdaContext(timeout_ms))
    except Exception as exc:  # noqa: BLE001 -- every handler exception becomes Lambda's error payload
        error = _error(type(exc).__name__, str(exc), _stack(exc))
        return error, json.dumps(error)
    try:
        return None, json.dumps(result)
    except (TypeError, ValueError) as exc:
        error = _error("Runtime.MarshalError", f"Unable to marshal response: {exc}", [])
        return error, json.dumps(error)


def main() -> int:
    task, opt, python_tag, handler_name, event_path, result_path, timeout_ms = sys.argv[1:8]
    del sys.path[0]  # this script's folder: nothing of the build may be importable
    sys.path[:0] = [task, f"{opt}/python/lib/{python_tag}/site-packages", f"{opt}/python"]
    os.chdir(task)
    error, text = _run(handler_name, event_path, int(timeout_ms))
    Path(result_path).write_text(text, encoding="utf-8")
    return 1 if error else 0


if __name__ == "__main__":
    sys.exit(main())
