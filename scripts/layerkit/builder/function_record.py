"""A function's record in `build/manifest.json`: its zip, its settings and its layers in merge order.

Every setting of function.toml is carried over as the module's inputs take it, so the root
configuration passes each one on and reads nothing else.
"""

from layerkit.build_dir import BuildDir
from layerkit.builder.layout import Tree
from layerkit.builder.manifest import artifact_key, zip_digest
from layerkit.config import regions
from layerkit.config.function_config import FunctionConfig, is_external
from layerkit.config.function_settings import Logs, Settings, Versions
from layerkit.config.role import Role
from layerkit.config.triggers import Triggers
from layerkit.lambda_facts import BASIC_EXECUTION_POLICY
from layerkit.records import Asynchronous as AsynchronousRecord
from layerkit.records import AttachedLayer, FunctionZip
from layerkit.records import Logs as LogsRecord
from layerkit.records import Role as RoleRecord
from layerkit.records import Triggers as TriggersRecord
from layerkit.records import Versions as VersionsRecord
from layerkit.records import Vpc as VpcRecord


def function_record(config: FunctionConfig, build_dir: BuildDir, zip_data: bytes, tree: Tree) -> FunctionZip:
    """A function zip, with what Terraform needs to create the function and attach its layers."""
    digest = zip_digest(zip_data)
    settings = config.settings
    return {
        "key": config.name,
        "name": config.name,
        "runtime": config.runtime,
        "handler": config.handler,
        "architecture": config.architecture,
        "memory": config.memory,
        "timeout": config.timeout,
        "environment": dict(config.environment),
        "managed_policies": [BASIC_EXECUTION_POLICY],
        "permissions": [statement.to_json() for statement in config.permissions],
        "layers": [_attached(layer, config.architecture) for layer in config.layers],
        "description": settings.description,
        "tracing": settings.tracing,
        "reserved_concurrency": settings.reserved_concurrency,
        "ephemeral_storage": settings.ephemeral_storage,
        "kms_key": settings.kms_key,
        "logs": _logs(settings.logs),
        "versions": _versions(settings.versions),
        "vpc": _vpc(settings),
        "asynchronous": _asynchronous(settings),
        "role": _role(config.role),
        "triggers": _triggers(config.triggers),
        "regions": None if config.regions is None else list(config.regions),
        "role_names": regions.role_names(config.name, config.regions),
        "zip": build_dir.function_zip(config.name, digest.sha256).as_posix(),
        "sha256": digest.sha256,
        "sha256_base64": digest.sha256_base64,
        "zip_size": digest.size,
        "unzipped_size": sum(entry.size() for entry in tree.values()),
        "file_count": len(tree),
        "needs_s3": digest.needs_s3,
        "src": config.code_dir.as_posix(),
    }


def _attached(layer: str, architecture: str) -> AttachedLayer:
    """One of a function's layers, with the same keys either way so Terraform can read a list of them."""
    if is_external(layer):
        return {"artifact": None, "layer": None, "arn": layer}
    return {"artifact": artifact_key(layer, architecture), "layer": layer, "arn": None}


def _logs(logs: Logs) -> LogsRecord:
    return {
        "retention_days": logs.retention_days,
        "kms_key": logs.kms_key,
        "format": logs.format,
        "application_level": logs.application_level,
        "system_level": logs.system_level,
    }


def _versions(versions: Versions) -> VersionsRecord:
    return {
        "publish": versions.publish,
        "live": versions.live,
        "provisioned_concurrency": versions.provisioned_concurrency,
    }


def _vpc(settings: Settings) -> VpcRecord | None:
    if settings.vpc is None:
        return None
    return {"subnets": list(settings.vpc.subnets), "security_groups": list(settings.vpc.security_groups)}


def _asynchronous(settings: Settings) -> AsynchronousRecord | None:
    if (given := settings.asynchronous) is None:
        return None
    return {
        "retries": given.retries,
        "max_event_age": given.max_event_age,
        "on_failure": given.on_failure,
        "dead_letter": given.dead_letter,
    }


def _role(role: Role) -> RoleRecord:
    return {
        "arn": role.arn,
        "path": role.path,
        "permissions_boundary": role.permissions_boundary,
        "policies": list(role.policies),
    }


def _triggers(triggers: Triggers) -> TriggersRecord:
    return {
        "schedules": [{"name": s.name, "expression": s.expression, "event": s.event} for s in triggers.schedules],
        "queues": [
            {
                "name": q.name,
                "arn": q.arn,
                "batch_size": q.batch_size,
                "batching_window": q.batching_window,
                "partial_batch_responses": q.partial_batch_responses,
            }
            for q in triggers.queues
        ],
        "permissions": [
            {"name": p.name, "principal": p.principal, "source_arn": p.source_arn, "source_account": p.source_account}
            for p in triggers.permissions
        ],
    }
