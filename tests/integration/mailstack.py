"""A private Dovecot and Postfix for the integration tests, wired to a running Switchboard and
configured by Switchboard's own generator (`switchboard mail config dovecot|postfix instance
DIR ...`), so the tests run the snippets an admin installs.

    stack = MailStack()                              # a directory and loopback ports
    server = Server(stack.switchboard_config())      # [mail] points at the stack
    server.start(); stack.start(server)              # configs written, both started, ports up
    stack.imap() / stack.submission() / stack.smtp() / stack.lmtp() / stack.pop3()
    stack.stop(); stack.cleanup()

Dovecot: IMAP, POP3 and LMTP on loopback, STARTTLS with the Switchboard server's certificate
(signed by its private CA), mail files owned by `nobody` under <dir>/mailboxes, its own base,
state and log paths. Postfix: inbound smtpd and submission (SASL through Dovecot, TLS required)
on loopback, lookups through Switchboard's socketmap, delivery by LMTP into Dovecot, its own
queue, data and log. Tests run as root (Dovecot and Postfix start as root and drop privileges);
the system-wide instances and their configs are never touched. Every wait is bounded; a failure
carries the logs."""
import imaplib
import os
import poplib
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

from harness import Server, free_port

DOVECOT = "/usr/sbin/dovecot"
POSTFIX = "/usr/sbin/postfix"
HOST = "127.0.0.1"


def available():
    """Why the private stack cannot run here ("" when it can)."""
    for path in (DOVECOT, POSTFIX, "/usr/lib/dovecot/modules/auth/libauthdb_lua.so",
                 "/usr/lib/dovecot/modules/lib22_push_notification_lua_plugin.so"):
        if not os.path.exists(path):
            return f"{path} is missing (scripts/setup.sh installs it)"
    if os.geteuid() != 0:
        return "Dovecot and Postfix private instances need root"
    return ""


def wait_port(port, timeout, what, log=lambda: ""):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {HOST}:{port} within {timeout} s\n{log()}")


class MailStack:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sbmail-")
        # Dovecot's mail processes (nobody) and Postfix's daemons must reach their folders.
        os.chmod(self.dir, 0o755)
        self.mailboxes = os.path.join(self.dir, "mailboxes")
        os.makedirs(self.mailboxes, mode=0o700)
        os.chown(self.mailboxes, 65534, 65534)
        self.ports = {name: free_port() for name in ("imap", "pop3", "lmtp", "smtp", "submission", "sasl")}
        self.dovecot = None
        self.postfix_started = False
        self.server = None

    def switchboard_config(self):
        p = self.ports
        return (f'[mail]\nimap = "{HOST}:{p["imap"]}"\nlmtp = "{HOST}:{p["lmtp"]}"\n'
                f'submission = "{HOST}:{p["submission"]}"\nsocketmap_listen = "{HOST}:0"\n'
                f'events_listen = "{HOST}:0"\nmail_root = "{self.mailboxes}"\n')

    # ---- lifecycle ----

    def write_files(self, files):
        for f in files:
            path = os.path.join(self.dir, f["name"])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as out:
                out.write(f["content"])
            os.chmod(path, f["mode"])

    def start(self, server, timeout=60):
        self.server = server
        p = self.ports
        dovecot = server.json("mail", "config", "dovecot", "instance", self.dir, "sasl", p["sasl"],
                              "pop3", f"{HOST}:{p['pop3']}")
        postfix = server.json("mail", "config", "postfix", "instance", self.dir, "sasl", p["sasl"],
                              "smtp", f"{HOST}:{p['smtp']}")
        self.write_files(dovecot["files"])
        self.write_files(postfix["files"])
        self.dovecot_conf = os.path.join(self.dir, "dovecot", "dovecot.conf")
        self.postfix_dir = os.path.join(self.dir, "postfix")
        for d in ("queue", "data"):
            os.makedirs(os.path.join(self.postfix_dir, d), exist_ok=True)
        shutil.chown(os.path.join(self.postfix_dir, "data"), "postfix", "postfix")
        try:
            with open(self.path("dovecot/stderr.log"), "ab") as err:
                self.dovecot = subprocess.Popen([DOVECOT, "-F", "-c", self.dovecot_conf],
                                                stdout=subprocess.DEVNULL, stderr=err)
            for name in ("imap", "pop3", "lmtp", "sasl"):
                wait_port(p[name], timeout, f"Dovecot {name}", self.logs)
            r = subprocess.run([POSTFIX, "-c", self.postfix_dir, "start"], capture_output=True, text=True,
                               timeout=timeout)
            if r.returncode != 0:
                raise RuntimeError(f"postfix start failed ({r.returncode}): {r.stdout}{r.stderr}\n{self.logs()}")
            self.postfix_started = True
            for name in ("smtp", "submission"):
                wait_port(p[name], timeout, f"Postfix {name}", self.logs)
        except Exception:
            self.stop()
            raise
        return self

    def stop(self, timeout=30):
        if self.postfix_started:
            subprocess.run([POSTFIX, "-c", self.postfix_dir, "stop"], capture_output=True, timeout=timeout)
            pid_file = os.path.join(self.postfix_dir, "queue", "pid", "master.pid")
            deadline = time.time() + timeout
            while os.path.exists(pid_file) and time.time() < deadline:
                time.sleep(0.1)
            self.postfix_started = False
        if self.dovecot and self.dovecot.poll() is None:
            self.dovecot.send_signal(signal.SIGTERM)
            try:
                self.dovecot.wait(timeout)
            except subprocess.TimeoutExpired:
                self.dovecot.kill()
                self.dovecot.wait(10)
        self.dovecot = None

    def cleanup(self):
        try:
            self.stop()
        finally:
            if os.environ.get("SB_KEEP_TEST_DIRS"):
                print(f"kept {self.dir}")
            else:
                shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def logs(self, n=40):
        out = []
        for name in ("dovecot/dovecot.log", "dovecot/stderr.log", "postfix/postfix.log"):
            try:
                with open(self.path(name), "rb") as f:
                    lines = f.readlines()[-n:]
                out.append(f"--- {name}\n" + b"".join(lines).decode("utf-8", "replace"))
            except OSError:
                pass
        return "\n".join(out)

    # ---- clients (real TLS, trusting the Switchboard server's private CA) ----

    def tls(self):
        ctx = ssl.create_default_context(cafile=self.server.ca_file)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        return ctx

    def imap(self, user=None, password=None):
        """An IMAP connection after STARTTLS; logged in when user is given (raises on refusal)."""
        m = imaplib.IMAP4(HOST, self.ports["imap"], timeout=30)
        m.starttls(self.tls())
        if user is not None:
            m.login(user, password)
        return m

    def pop3(self):
        p = poplib.POP3(HOST, self.ports["pop3"], timeout=30)
        p.stls(self.tls())
        return p

    def submission(self):
        s = smtplib.SMTP(HOST, self.ports["submission"], timeout=30)
        s.ehlo("client.test")
        s.starttls(context=self.tls())
        s.ehlo("client.test")
        return s

    def smtp(self):
        """Postfix's inbound SMTP (as another mail server would deliver)."""
        s = smtplib.SMTP(HOST, self.ports["smtp"], timeout=30)
        s.ehlo("mx.remote.test")
        return s

    def lmtp(self):
        return smtplib.LMTP(HOST, self.ports["lmtp"], timeout=30)

    def wait_for_message(self, user, password, criterion, timeout=30, mailbox="INBOX"):
        """Polls the mailbox (bounded) until a message matches the IMAP SEARCH criterion;
        returns the message bytes."""
        deadline = time.time() + timeout
        while True:
            m = self.imap(user, password)
            try:
                m.select(mailbox)
                typ, data = m.search(None, criterion)
                ids = data[0].split()
                if ids:
                    typ, msg = m.fetch(ids[-1], "(BODY.PEEK[])")
                    return msg[0][1]
            finally:
                m.logout()
            if time.time() > deadline:
                raise AssertionError(f"no message matching {criterion} for {user} within {timeout} s\n"
                                     f"{self.logs()}\n{self.server.log_tail()}")
            time.sleep(0.2)


class MailStackTestCase(unittest.TestCase):
    """A test class sharing one Switchboard server and one private Dovecot + Postfix."""
    extra_config = ""
    demo = False

    @classmethod
    def setUpClass(cls):
        why = available()
        if why:
            raise RuntimeError(why)
        cls.stack = MailStack()
        cls.server = Server(cls.stack.switchboard_config() + cls.extra_config, demo=cls.demo)
        try:
            cls.server.start()
            cls.stack.start(cls.server)
        except Exception:
            cls.stack.cleanup()
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.stack.cleanup()
        finally:
            cls.server.cleanup()

    def cli(self, *args, **kw):
        return self.server.cli(*args, **kw)

    def json(self, *args, **kw):
        return self.server.json(*args, **kw)
