"""Fuzzing the readers of third-party metadata: whatever a wheel's dist-info holds, only LayerError comes out.

A wheel's dist-info folder is its publisher's data. The build reads METADATA (for the license),
RECORD (which files belong to a distribution, and the copy it rewrites into the zip) and the
folder's name (the distribution and its version); WHEEL, entry points and top_level.txt ride
along in the zip unread. Random headers, rows and names go through each reader, through a
report of a zip holding them, and through the SBOM written from it.

`make test` runs a few hundred examples per test; `make fuzz` runs 10,000 or more
(`HYPOTHESIS_PROFILE=fuzz`), and `--hypothesis-show-statistics` counts them.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from layerkit import licenses
from layerkit.builder import sbom
from layerkit.builder.layout import FileEntry, _prune_records
from layerkit.config.layer_config import LayerConfig
from layerkit.errors import LayerError
from layerkit.report.contents import layer_place, read_zip

settings.register_profile(
    "default", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
settings.register_profile(
    "fuzz", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

LICENSE_WORDS = [
    "MIT",
    "mit",
    "Apache-2.0",
    "BSD-3-Clause",
    "GPL-2.0-or-later",
    "LGPL-2.1+",
    "Classpath-exception-2.0",
    "LicenseRef-Proprietary",
    "UNKNOWN",
    "AND",
    "OR",
    "WITH",
    "and",
    "(",
    ")",
    "+",
    "Copyright (c) 2005-2024, NumPy Developers.",
    "All rights reserved.",
    "BSD",
    "Dual License",
    "Public Domain",
    "\u00e9",
    "\x00",
    "",
]
"""Pieces that license-expression parses, half-parses, chokes on (numpy's pasted text), or never saw."""

_FIELDS = ["License", "License-Expression", "Classifier", "Name", "Version", "Metadata-Version", "Summary", "X-Odd"]
_CLASSIFIERS = [
    "License :: OSI Approved",
    "License :: OSI Approved :: MIT License",
    "License :: OSI Approved :: BSD License",
    "License :: Other/Proprietary License",
    "License ::",
    "License :: :: ::",
    "Programming Language :: Python",
]

license_texts = st.one_of(
    st.lists(st.sampled_from(LICENSE_WORDS), max_size=8).map(" ".join),
    st.text(max_size=300),
    st.sampled_from(_CLASSIFIERS),
    st.text(alphabet="MITApache-2.0 ORAND()+", max_size=40),
    st.integers(200, 20_000).map(lambda n: "x" * n),  # a whole text pasted on one line
)
raw_bytes = st.binary(max_size=400)
header_values = st.one_of(license_texts.map(lambda t: t.encode("utf-8", errors="surrogatepass")), raw_bytes)


@st.composite
def metadata_files(draw: st.DrawFn) -> bytes:
    """A METADATA file: fields in any order, empty and repeated ones, folded lines, bytes that are not UTF-8."""
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        name = draw(st.sampled_from(_FIELDS)).encode()
        value = draw(header_values)
        folded = b"\n        ".join(value.split(b"\n")) if draw(st.booleans()) else value
        lines.append(name + b": " + folded)
    body = draw(st.sampled_from([b"", b"\n\nlong description\n", b"\n" + draw(raw_bytes)]))
    return b"\n".join(lines) + body


record_rows = st.lists(
    st.one_of(
        st.lists(st.text(max_size=30), max_size=4).map(",".join),
        st.sampled_from(['"unterminated', "a\x00b,c", "../../etc/passwd,,", "/abs,,", ".,,", "..,,", ",,,"]),
        st.sampled_from(["pkg/__init__.py,sha256=x,1", "pkg/data.bin,,", "pkg-1.0.dist-info/METADATA,,"]),
    ),
    max_size=10,
)


@st.composite
def record_files(draw: st.DrawFn) -> bytes:
    text = "\n".join(draw(record_rows)).encode("utf-8", errors="surrogatepass")
    return draw(st.sampled_from([text, text + b"\xff\xfe", b"\x00" + text, draw(raw_bytes)]))


folder_names = st.one_of(
    st.sampled_from(
        ["pkg-1.0", "pkg-", "-1.0", "pkg", "a-b-c-2.0rc1", "Pkg_Name-01.02", "\u00e9t\u00e9-1", "x-1+l", " -0"]
    ),
    st.text(alphabet="abcXYZ019._-+!@ ", min_size=1, max_size=20),
)


@st.composite
def wheels(draw: st.DrawFn) -> dict[str, bytes]:
    """A layer zip's files: a module and a dist-info folder with random METADATA, RECORD, WHEEL and friends."""
    folder = f"python/{draw(folder_names)}.dist-info"
    files = {
        "python/pkg/__init__.py": b"X = 1\n",
        f"{folder}/METADATA": draw(metadata_files()),
        f"{folder}/RECORD": draw(record_files()),
        f"{folder}/WHEEL": draw(st.one_of(raw_bytes, st.sampled_from([b"Wheel-Version: 1.0\nTag: py3-none-any\n"]))),
        f"{folder}/entry_points.txt": draw(raw_bytes),
        f"{folder}/top_level.txt": draw(raw_bytes),
    }
    if draw(st.booleans()):
        files.pop(f"{folder}/METADATA")
    return files


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


CONFIG = LayerConfig(
    name="fuzzed",
    directory=Path("layers/fuzzed"),
    description="fuzzed",
    license="MIT",
    runtimes=("python3.12",),
    architectures=("x86_64",),
    exclude=(),
    overrides=(),
    bytecode=False,
)


@given(metadata_files())
def test_a_metadata_file_gives_a_license_or_none_and_nothing_else(data: bytes) -> None:
    found = licenses.from_metadata(data)
    assert found is None or isinstance(found, licenses.License)
    if found is not None:
        text = str(found)
        assert text
        assert len(text) <= max(licenses.MAX_NAME_CHARS, 1) * max(len(found.names), 1) + 2 * len(found.names)
        json.dumps(text)
        text.encode("utf-8")  # printable: no lone surrogates
        assert licenses.permits(("MIT", "Apache-2.0"), found) in (True, False)


@given(license_texts)
def test_spdx_and_is_spdx_id_answer_for_any_text(text: str) -> None:
    normalised = licenses.spdx(text)
    assert normalised is None or isinstance(normalised, str)
    assert licenses.is_spdx_id(text) in (True, False)


@given(wheels())
def test_a_zip_of_any_dist_info_is_read_and_becomes_an_sbom(files: dict[str, bytes]) -> None:
    data = zipped(files)
    path = Path("build/layers/fuzzed.zip")
    contents = read_zip(path, layer_place("python3.12"), data)
    for dist in contents.dists.values():
        assert dist.name
        assert dist.version
    dists = sbom.layer_dists(CONFIG, path, data)
    document = sbom.layer_document(
        config=CONFIG, architecture="x86_64", key="fuzzed-x86_64", zip_sha256="0" * 64, dists=dists, locks={}
    )
    assert json.loads(document)["metadata"]["component"]["name"] == "fuzzed"


@given(st.binary(max_size=300))
def test_bytes_that_are_not_a_zip_are_one_layer_error(data: bytes) -> None:
    message = "ok"
    try:
        read_zip(Path("build/layers/broken.zip"), layer_place("python3.12"), data)
    except LayerError as exc:
        message = str(exc)
    assert message == "ok" or message.startswith("build/layers/broken.zip: cannot read the zip (")


@given(record_files())
def test_a_record_is_rewritten_or_kept_as_it_is(record: bytes) -> None:
    tree = {
        "python/pkg/__init__.py": FileEntry(Path("unused"), executable=False, data=b"X = 1\n"),
        "python/pkg-1.0.dist-info/RECORD": FileEntry(Path("unused"), executable=False, data=record),
    }
    pruned = _prune_records(tree)
    assert set(pruned) == set(tree)
    kept = pruned["python/pkg-1.0.dist-info/RECORD"].read()
    assert kept == record or len(kept) <= len(record) + record.count(b"\n") * 4 + 64
