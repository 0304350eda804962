"""Whether AWS credentials can be found, before anything starts that would fail late without them.

Without credentials, `terraform plan` gets as far as a partial plan and then prints the
provider's `No valid credential sources found` and an instance-metadata error. Asking
botocore first uses the same sources the CLI and the provider read (the `AWS_*` variables,
`AWS_PROFILE` and the shared files, SSO, instance metadata) and costs well under a second.
"""

import botocore.exceptions
import botocore.session

from layerkit.errors import LayerError

NO_ACCOUNT = "or try it on a local AWS with 'make local-aws' and ENDPOINT=http://127.0.0.1:5000, or run 'make demo'"


def found() -> bool:
    """Whether botocore's own resolution finds credentials; a profile that does not exist is an error."""
    try:
        return botocore.session.Session().get_credentials() is not None
    except botocore.exceptions.ProfileNotFound as exc:
        raise LayerError(
            f"AWS_PROFILE names profile {exc.kwargs['profile']}, which is not in your AWS config; "
            f"run 'aws configure list-profiles' for the ones there are, {NO_ACCOUNT} (no account needed)"
        ) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise LayerError(f"your AWS credentials could not be read ({exc}); fix them, {NO_ACCOUNT}") from None


def require(command: str) -> None:
    """Fail with the ways to get credentials when there are none for `command` (e.g. `make plan`)."""
    if not found():
        raise LayerError(
            f"{command} needs AWS credentials, and none were found; set AWS_PROFILE (or AWS_ACCESS_KEY_ID and "
            f"AWS_SECRET_ACCESS_KEY), {NO_ACCOUNT} (no account needed)"
        )
