"""A PEP 517 build backend for this package in the standard library alone.

The package is pure Python with no dependencies, so building it needs nothing from a package
index: ``pip install ./sdk/python`` works offline, with or without build isolation, and without
setuptools or wheel installed.
"""

import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME = "taskmaster"
VERSION = "0.1.0"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAG = "py3-none-any"


def _metadata() -> str:
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n"
            "Summary: Python client and worker for the Taskmaster distributed task queue (protocol version 2)\n"
            "Requires-Python: >=3.9\nDescription-Content-Type: text/markdown\n\n%s" % (NAME, VERSION, readme))


def _files():
    package = os.path.join(HERE, NAME)
    for name in sorted(os.listdir(package)):
        if name.endswith(".py"):
            yield "%s/%s" % (NAME, name), os.path.join(package, name)


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    filename = "%s-%s-%s.whl" % (NAME, VERSION, TAG)
    entries = [(arc, open(src, "rb").read()) for arc, src in _files()]
    entries.append(("%s/METADATA" % dist_info, _metadata().encode("utf-8")))
    entries.append(("%s/WHEEL" % dist_info,
                    ("Wheel-Version: 1.0\nGenerator: taskmaster_build\nRoot-Is-Purelib: true\nTag: %s\n" % TAG).encode()))
    entries.append(("%s/entry_points.txt" % dist_info,
                    b"[console_scripts]\ntaskmaster-py = taskmaster.__main__:main\n"))
    record = [_record_line(arc, data) for arc, data in entries] + ["%s/RECORD,," % dist_info]
    entries.append(("%s/RECORD" % dist_info, ("\n".join(record) + "\n").encode()))
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as whl:
        for arc, data in entries:
            whl.writestr(arc, data)
    return filename


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (NAME, VERSION)
    filename = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tar:
        for rel in ["pyproject.toml", "README.md", "_build/taskmaster_build.py"] + [a for a, _ in _files()]:
            tar.add(os.path.join(HERE, rel), arcname="%s/%s" % (base, rel))
        info = tarfile.TarInfo("%s/PKG-INFO" % base)
        data = _metadata().encode("utf-8")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return filename
