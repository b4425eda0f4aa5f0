"""The CLI contract: exit codes (0 done, 1 refused, 2 usage or no server), --json output, help,
and configuration errors that name the key."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import BIN, Server, ServerTestCase


def run(*argv, env=None, timeout=30):
    return subprocess.run([BIN, *argv], capture_output=True, text=True, timeout=timeout, env=env)


class ConfigErrorTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sbcfg-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def serve(self, text):
        path = os.path.join(self.dir, "bad.toml")
        with open(path, "w") as f:
            f.write(text)
        t0 = time.monotonic()
        p = run("serve", "--config", path, timeout=20)
        return p, time.monotonic() - t0

    def assertRefused(self, text, *needles):
        # The text comes before [admin], so its top-level keys stay top-level.
        p, elapsed = self.serve(f'data_dir = "{self.dir}/data"\n{text}\n[admin]\nsocket = "{self.dir}/a.sock"\n')
        self.assertNotEqual(p.returncode, 0, p)
        self.assertLess(elapsed, 20, "a bad configuration must be refused, not served")
        err = p.stderr.strip()
        self.assertTrue(err, p)
        for n in needles:
            self.assertIn(n, err)
        self.assertLessEqual(len(err.splitlines()), 2, err)
        # Nothing was started or created.
        self.assertFalse(os.path.exists(f"{self.dir}/a.sock"))
        return p

    def test_unknown_key_is_named(self):
        self.assertRefused("[ldap]\nldaps_port = 636\n", "ldap.ldaps_port")
        self.assertRefused("colour = \"blue\"\n", "'colour'")

    def test_malformed_toml_names_the_place(self):
        self.assertRefused("[ldap\nldaps = \"127.0.0.1:1\"\n", "bad.toml:2:")

    def test_wrong_types_and_values_are_named(self):
        self.assertRefused('log_level = "chatty"\n', "log_level")
        self.assertRefused("log_level = 3\n", "'log_level' must be")
        self.assertRefused('[store]\nbackend = "oracle"\n', "store.backend")
        self.assertRefused('[ldap]\nldaps = "no-port-here"\n', "ldap.ldaps")

    def test_missing_config_file(self):
        p = run("serve", "--config", os.path.join(self.dir, "missing.toml"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("missing.toml", p.stderr)


class NoServerTest(unittest.TestCase):
    def test_exit_2_with_how_to_start(self):
        s = Server()  # configured, never started
        try:
            for json_out in (False, True):
                r = s.cli("prov", "gaa", json_out=json_out, check=False)
                self.assertEqual(r.rc, 2, r)
                self.assertIn("switchboard serve", r.err)
                self.assertIn(s.root, r.err)  # names the socket it tried
        finally:
            s.cleanup()

    def test_usage_errors_exit_2(self):
        r = run()
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage: switchboard", r.stdout)
        r = run("--config")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--config needs a file", r.stderr)

    def test_help(self):
        r = run("help")
        self.assertEqual(r.returncode, 0)
        for word in ("prov", "auth", "contacts", "config", "server", "serve"):
            self.assertIn(word, r.stdout)
        r = run("help", "prov")
        self.assertEqual(r.returncode, 0)
        for verb in ("createDomain", "getDomain", "getAllDomains", "deleteDomain", "createCos", "getCos", "getAllCos",
                     "modifyCos", "createAccount", "getAccount", "getAllAccounts", "modifyAccount", "deleteAccount",
                     "renameAccount", "setPassword", "addAccountAlias", "removeAccountAlias", "importLdif"):
            self.assertIn(f"switchboard prov {verb} ", r.stdout)
        r = run("help", "prov", "ca")
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage: switchboard prov createAccount ADDRESS PASSWORD", r.stdout)

    def test_unknown_commands_exit_2_without_a_server(self):
        s = Server()  # configured, never started: an unknown verb is told apart from a down server
        try:
            cases = [
                (("help", "mobile", "ABQ"), "unknown command 'mobile ABQ'", "switchboard help mobile"),
                (("help", "prov", "frobnicate"), "unknown command 'prov frobnicate'", "switchboard help prov"),
                (("help", "nosuchmodule"), "unknown command 'nosuchmodule'", "switchboard help"),
                (("mobile", "ABQ", "list"), "unknown command 'mobile ABQ'", "switchboard help mobile"),
                (("prov", "frobnicate"), "unknown command 'prov frobnicate'", "switchboard help prov"),
                (("nosuchmodule", "x"), "unknown command 'nosuchmodule x'", "switchboard help"),
                (("prov", "help", "frobnicate"), "unknown command 'prov frobnicate'", "switchboard help prov"),
                (("prov",), "'prov' needs a command", "switchboard help prov"),
            ]
            for argv, message, hint in cases:
                for json_out in (False, True):
                    r = s.cli(*argv, json_out=json_out, check=False)
                    self.assertEqual(r.rc, 2, r)
                    self.assertIn(message, r.err, r)
                    self.assertIn(hint, r.err, r)
                    self.assertNotIn("switchboard serve", r.err, r)  # not mistaken for a down server
                    self.assertEqual(r.out, "", r)
            # Known commands still reach (and here miss) the server; their help needs none.
            self.assertIn("switchboard serve", s.cli("mobile", "getAllDevices", check=False).err)
            r = s.cli("help", "mobile", "getDeviceInfo", check=False)
            self.assertEqual(r.rc, 0, r)
            self.assertIn("usage: switchboard mobile getDeviceInfo", r.out)
        finally:
            s.cleanup()

    def test_help_serve(self):
        r = run("help", "serve")
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage: switchboard serve [--config FILE] [--demo]", r.stdout)


class JsonAndExitCodeTest(ServerTestCase):
    def test_exit_codes(self):
        self.assertEqual(self.cli("prov", "gad").rc, 0)
        r = self.cli("prov", "gd", "nowhere.example", check=False)
        self.assertEqual(r.rc, 1)
        self.assertEqual(r.err, "error: no such domain: nowhere.example\n")
        self.assertEqual(r.out, "")

    def test_json_output_has_the_documented_fields(self):
        d = self.json("prov", "cd", "json.example")
        self.assertEqual(set(d), {"id", "name"})
        a = self.json("prov", "ca", "j@json.example", "pw-json-1", "displayName", "J Son")
        self.assertEqual(set(a), {"id", "name", "domain", "status", "aliases", "authSource", "hasPassword", "created",
                                  "modified"})
        self.assertEqual((a["name"], a["domain"], a["status"], a["aliases"], a["hasPassword"], a["authSource"]),
                         ("j@json.example", "json.example", "active", [], True, "local"))
        ga = self.json("prov", "ga", "j@json.example", "displayName")
        self.assertEqual(ga["attrs"], {"displayName": {"values": ["J Son"], "source": "account"}})
        gaa = self.json("prov", "gaa")
        self.assertEqual([x["name"] for x in gaa["accounts"]], ["j@json.example"])
        self.assertEqual(self.json("prov", "gac")["cos"][0]["name"], "default")
        gc = self.json("prov", "gc", "default")
        self.assertEqual(gc["attrs"]["zimbraFeatureMobileSyncEnabled"], "FALSE")
        st = self.server.status()
        for k in ("store", "schemaVersion", "accounts", "domains", "version", "pid", "adminSocket", "dataDir", "tls"):
            self.assertIn(k, st)
        self.assertEqual((st["accounts"], st["domains"]), (1, 1))
        login = self.json("auth", "test", "j@json.example", "pw-json-1", "service", "IMAP")
        self.assertEqual(login, {"account": "j@json.example", "method": "password", "service": "IMAP"})
        info = self.json("config", "info", "zimbraFeatureMobileSyncEnabled")
        self.assertEqual((info["type"], info["cosDefault"]), ("boolean", "FALSE"))
        g = self.json("config", "get", "global", "authThrottleWindow")
        self.assertEqual(g["authThrottleWindow"], {"values": ["900"], "source": "default", "enforced": True})
        self.assertIn("authThrottleAccountFailures", self.json("config", "list"))

    def test_json_errors(self):
        r = self.cli("prov", "ga", "nobody@json.example", json_out=True, check=False)
        self.assertEqual(r.rc, 1)
        j = json.loads(r.out)
        self.assertFalse(j["ok"])
        self.assertIn("no such account", j["error"]["message"])

    def test_unknown_commands(self):
        self.assertEqual(self.assertFails("prov", "frobnicate", contains="unknown command 'prov frobnicate'").rc, 2)
        self.assertEqual(self.assertFails("nosuchmodule", "x", contains="unknown command").rc, 2)
        self.assertFails("prov", "ca", contains="usage")

    def test_environment_selects_the_config(self):
        env = dict(os.environ, SWITCHBOARD_CONFIG=self.server.config_path)
        p = run("--json", "server", "status", env=env)
        self.assertEqual(p.returncode, 0, p)
        self.assertEqual(json.loads(p.stdout)["adminSocket"], os.path.join(self.server.root, "admin.sock"))


if __name__ == "__main__":
    unittest.main()
