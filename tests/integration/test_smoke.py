"""The server starts on its defaults, answers the CLI and stops cleanly."""
import unittest

from harness import ServerTestCase


class SmokeTest(ServerTestCase):
    def test_status_reports_store_and_schema(self):
        st = self.server.status()
        self.assertEqual(st["store"], "sqlite")
        self.assertGreaterEqual(st["schemaVersion"], 1)
        self.assertEqual(st["accounts"], 0)

    def test_default_cos_exists_with_mobile_sync_off(self):
        r = self.cli("prov", "gc", "default", "zimbraFeatureMobileSyncEnabled")
        self.assertIn("zimbraFeatureMobileSyncEnabled: FALSE", r.out)

    def test_unknown_command_is_refused(self):
        self.assertFails("prov", "frobnicate", contains="unknown command 'prov frobnicate'")


if __name__ == "__main__":
    unittest.main()
