"""Refuses to zip a layer's or a function's own files when they hold credentials.

The scan is detect-secrets' (its detectors and its filters, including the inline
`# pragma: allowlist secret`), on the project's own files only: a layer's `python/` and a
function's `src/`. What pip or uv installs is not scanned: third-party test data is full
of example keys, and a distribution's contents are its publisher's to answer for.

detect-secrets keeps its settings in one process-wide object (`get_settings()`, with
`lru_cache`d plugin and filter lists behind it), and `transient_settings` swaps them in
and out: not safe while another thread scans. The pipeline builds artifacts in parallel
threads, so each scan holds `_LOCK` for as long as its settings are in place.
"""

import threading
from collections.abc import Iterable
from pathlib import Path

from layerkit.errors import LayerError, Subject

DETECTORS = (
    "AWSKeyDetector",
    "ArtifactoryDetector",
    "AzureStorageKeyDetector",
    "BasicAuthDetector",
    "CloudantDetector",
    "DiscordBotTokenDetector",
    "GitHubTokenDetector",
    "GitLabTokenDetector",
    "IbmCloudIamDetector",
    "IbmCosHmacDetector",
    "JwtTokenDetector",
    "MailchimpDetector",
    "NpmDetector",
    "OpenAIDetector",
    "PrivateKeyDetector",
    "PypiTokenDetector",
    "SendGridDetector",
    "SlackDetector",
    "SoftlayerDetector",
    "SquareOAuthDetector",
    "StripeDetector",
    "TelegramBotTokenDetector",
    "TwilioKeyDetector",
)
"""detect-secrets' detectors of a known credential's shape. Left out, as noise on ordinary code:
Base64HighEntropyString and HexHighEntropyString (they flag digests, test vectors and encoded
data: any long random-looking string); KeywordDetector (it flags any string assigned to a name
with "secret", "password" or "token" in it, such as `SECRET_NAME = "prod/db"`, which is how code
names the Secrets Manager secret it loads at run time); IPPublicDetector (an address is not a
credential)."""

ADVICE = (
    "remove it, and load it at run time from Secrets Manager or SSM Parameter Store; "
    "if it is not a secret, end the line with '# pragma: allowlist secret'"
)

_LOCK = threading.Lock()


def check(owner: Subject, files: Iterable[Path]) -> None:
    """Raise LayerError naming the first file and line that holds a credential, and its kind.

    `owner` is the layer or function whose files they are. The secret itself is never in the message.
    detect-secrets is imported only when there is a file to scan (it takes a tenth of a second).
    """
    paths = sorted(files)
    if not paths:
        return
    from detect_secrets.core.secrets_collection import SecretsCollection  # noqa: PLC0415 -- see the docstring
    from detect_secrets.settings import transient_settings  # noqa: PLC0415

    with _LOCK, transient_settings({"plugins_used": [{"name": name} for name in DETECTORS]}):
        found = SecretsCollection()
        for path in paths:
            found.scan_file(str(path))
        findings = sorted((Path(filename), secret.line_number, secret.type) for filename, secret in found)
    if not findings:
        return
    path, line, kind = findings[0]
    more = f", and {len(findings) - 1} more after it" if len(findings) > 1 else ""
    raise LayerError(f"{path}: line {line} holds a credential ({kind}){more}; {ADVICE}", about=owner)
