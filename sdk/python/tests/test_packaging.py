"""The standard-library build backend makes a complete wheel with no download."""

from __future__ import annotations

import os
import sys
import tempfile
import unittest
import zipfile

from support import SDK_DIR


class PackagingTest(unittest.TestCase):
    def test_the_wheel_holds_every_module_and_a_matching_record(self):
        sys.path.insert(0, os.path.join(SDK_DIR, "_build"))
        try:
            import taskmaster_build
        finally:
            sys.path.pop(0)
        self.assertEqual(taskmaster_build.get_requires_for_build_wheel(), [])
        with tempfile.TemporaryDirectory() as out:
            name = taskmaster_build.build_wheel(out)
            with zipfile.ZipFile(os.path.join(out, name)) as whl:
                names = set(whl.namelist())
                record = whl.read("taskmaster-0.1.0.dist-info/RECORD").decode().splitlines()
        modules = {"taskmaster/" + f for f in os.listdir(os.path.join(SDK_DIR, "taskmaster")) if f.endswith(".py")}
        self.assertTrue(modules <= names, modules - names)
        self.assertIn("taskmaster/__main__.py", names)
        self.assertEqual({line.split(",")[0] for line in record}, names)


if __name__ == "__main__":
    unittest.main()
