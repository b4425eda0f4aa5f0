"""Integration-test harness: starts the real `switchboard serve` on a temporary data directory
with loopback listeners, and drives it through the real CLI.

Every wait is bounded; a server that does not come up fails the test with its log."""
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import unittest

BIN = os.environ.get("SWITCHBOARD_BIN") or os.path.join(
    os.environ.get("SB_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build")), "switchboard")
SOURCE_DIR = os.environ.get("SB_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
GEN_PEOPLE = os.path.join(SOURCE_DIR, "tools", "gen_people_ldif.py")
PYTHON = "/usr/bin/python3"


def free_port():
    """A TCP port free on 127.0.0.1 right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PortTaken(RuntimeError):
    """The server could not bind a port that free_port() had found free."""


class CliResult:
    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    @property
    def data(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"CliResult(args={self.args!r}, rc={self.rc}, out={self.out[:2000]!r}, err={self.err[:2000]!r})"


class Server:
    """One server process with its own data directory and config file."""

    def __init__(self, extra_config="", demo=False, log_level="debug"):
        self.root = tempfile.mkdtemp(prefix="sbtest-")
        self.data_dir = os.path.join(self.root, "data")
        self.config_path = os.path.join(self.root, "switchboard.toml")
        self.log_path = os.path.join(self.root, "server.log")
        self.ports = {"ldaps": free_port(), "ldap": free_port(), "eas": free_port()}
        self.demo = demo
        self.proc = None
        self.log_level = log_level
        self.extra_config = extra_config
        self.started_once = False
        self.write_config(extra_config)

    def write_config(self, extra_config=""):
        with open(self.config_path, "w") as f:
            f.write(f'data_dir = "{self.data_dir}"\n')
            f.write(f'log_level = "{self.log_level}"\n')
            f.write(f'[admin]\nsocket = "{self.root}/admin.sock"\n')
            f.write(f'[tls]\nhostnames = ["localhost"]\n')
            f.write(f'[ldap]\nldaps = "127.0.0.1:{self.ports["ldaps"]}"\nldap = "127.0.0.1:{self.ports["ldap"]}"\n')
            f.write(f'[eas]\nhttps = "127.0.0.1:{self.ports["eas"]}"\n')
            f.write(extra_config)
            if "[mail]" not in extra_config:
                # Ephemeral ports: servers of parallel tests must not share the mail listeners.
                # After extra_config, which may go on with keys of [eas].
                f.write('\n[mail]\nsocketmap_listen = "127.0.0.1:0"\nevents_listen = "127.0.0.1:0"\n')

    @property
    def ca_file(self):
        return os.path.join(self.data_dir, "tls", "ca.crt")

    def start(self, timeout=60):
        # free_port() cannot reserve a port: another test may bind it before the server does.
        # The first start then takes new ports (a restart keeps its ports, which tests hold).
        for attempt in range(5):
            try:
                return self.start_once(timeout)
            except PortTaken:
                if self.started_once or attempt == 4:
                    raise
                self.stop()
                self.ports = {name: free_port() for name in self.ports}
                self.write_config(self.extra_config)
        raise AssertionError("unreachable")

    def start_once(self, timeout):
        args = [BIN, "serve", "--config", self.config_path] + (["--demo"] if self.demo else [])
        self.log = open(self.log_path, "ab")
        self.log_start = self.log.tell()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                tail = self.log_tail()
                with open(self.log_path, "rb") as f:
                    f.seek(self.log_start)
                    this_start = f.read().decode(errors="replace")
                if "Address already in use" in this_start:
                    raise PortTaken(tail)
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{tail}")
            r = self.cli("server", "status", check=False, timeout=10)
            if r.rc == 0:
                self.started_once = True
                return self
            time.sleep(0.1)
        raise RuntimeError(f"server did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                raise RuntimeError(f"server did not stop on SIGTERM within {timeout} s")
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()  # start() opens it again
            self.log = None

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def cleanup(self):
        try:
            self.stop()
        finally:
            if os.environ.get("SB_KEEP_TEST_DIRS"):
                print(f"kept {self.root}")
            else:
                shutil.rmtree(self.root, ignore_errors=True)

    def cli(self, *args, json_out=False, check=True, timeout=600, env=None):
        argv = [BIN, "--config", self.config_path] + (["--json"] if json_out else []) + [str(a) for a in args]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
        r = CliResult(args, p.returncode, p.stdout, p.stderr)
        if check and p.returncode != 0:
            raise AssertionError(f"CLI failed: {r}\nserver log tail:\n{self.log_tail()}")
        return r

    def json(self, *args, **kw):
        return self.cli(*args, json_out=True, **kw).data

    def status(self):
        return self.json("server", "status")

    def log_tail(self, n=60):
        try:
            with open(self.log_path, "rb") as f:
                return b"".join(f.readlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    def write_file(self, name, content, mode="w"):
        path = os.path.join(self.root, name)
        with open(path, mode) as f:
            f.write(content)
        return path

    # ---- read-only views for checks the CLI cannot make (never used to change anything) ----

    @property
    def db_path(self):
        return os.path.join(self.data_dir, "switchboard.db")

    def db_query(self, sql, params=()):
        """Rows of a read-only query on the server's SQLite file (e.g. which hash scheme is stored)."""
        con = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def directory_state(self):
        """Domains, classes of service and accounts as the CLI shows them, to compare before/after
        a command that must change nothing."""
        return {
            "domains": self.json("prov", "gad")["domains"],
            "cos": self.json("prov", "gac")["cos"],
            "accounts": self.json("prov", "gaa")["accounts"],
            "status": {k: v for k, v in self.status().items() if k in ("accounts", "domains")},
        }


class ServerTestCase(unittest.TestCase):
    """A test class sharing one running server; `extra_config` and `demo` configure it."""
    extra_config = ""
    demo = False

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.extra_config, demo=cls.demo)
        try:
            cls.server.start()
        except Exception:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def cli(self, *args, **kw):
        return self.server.cli(*args, **kw)

    def json(self, *args, **kw):
        return self.server.json(*args, **kw)

    def assertFails(self, *args, contains=None):
        """The command fails with a non-zero exit and one clear message (containing `contains`)."""
        r = self.server.cli(*args, check=False)
        self.assertNotEqual(r.rc, 0, f"expected failure: {r}")
        self.assertTrue(r.err.strip(), f"no error message: {r}")
        if contains:
            self.assertIn(contains.lower(), r.err.lower(), f"{r}")
        return r

    def assertFailsUnchanged(self, *args, contains=None, state=None):
        """assertFails, and the directory is the same afterwards (`state` = a custom snapshot function)."""
        snap = state or self.server.directory_state
        before = snap()
        r = self.assertFails(*args, contains=contains)
        self.assertEqual(before, snap(), f"state changed by a refused command: {r}")
        return r

    def assertLogin(self, login, secret, service="IMAP", client=None):
        """`auth test` accepts the login; returns the JSON answer (account, method, service)."""
        extra = ["client", client] if client else []
        r = self.server.cli("auth", "test", login, secret, "service", service, *extra, json_out=True, check=False)
        self.assertEqual(r.rc, 0, f"login refused: {r}")
        return r.data

    def assertLoginRefused(self, login, secret, service="IMAP", client=None, contains=None):
        extra = ["client", client] if client else []
        return self.assertFails("auth", "test", login, secret, "service", service, *extra, contains=contains)


def gen_people_ldif(path, n, domain="example.com", seed=7):
    with open(path, "w") as f:
        subprocess.run([PYTHON, GEN_PEOPLE, str(n), domain, str(seed)], stdout=f, check=True, timeout=600)
    return path
