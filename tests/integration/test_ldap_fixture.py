"""Shared world for the LDAP address-book integration tests (imported by the other test_ldap_*
files), and the tests of what a client sees before it binds: listeners, root DSE, refusals.

The world: domains example.com and other.org; Alice (mobile sync on, contacts in /Contacts and
/Contacts/Suppliers), Bob (mobile sync on, a private contact, a Partners folder published to
everyone), Carol (mobile sync off), Dave at other.org, Erin hidden from the GAL, Frank locked."""
import base64
import os
import socket
import ssl
import subprocess
import threading
import time
import unittest
import warnings

from harness import Server

PASSWORD = "Secret-Pass-1"
LDAPSEARCH = "/usr/bin/ldapsearch"
BASE = "o=switchboard"


def parse_ldif(text):
    """ldapsearch -LLL output → list of (dn, {attr_lower: [values]}), in order."""
    entries, cur = [], None
    lines = []
    for raw in text.splitlines():
        if raw.startswith(" ") and lines:
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    for line in lines + [""]:
        if not line.strip():
            if cur:
                entries.append(cur)
            cur = None
            continue
        if line.startswith("#"):
            continue
        name, value = line.split(":", 1)
        if value.startswith(":"):  # base64 (RFC 2849)
            value = base64.b64decode(value[1:].strip()).decode("utf-8", "replace")
        else:
            value = value[1:] if value.startswith(" ") else value
        if name.lower() == "dn":
            cur = (value, {})
        elif cur is not None:
            cur[1].setdefault(name.lower(), []).append(value)
    return entries


class LdapServer(Server):
    """The harness's server with extra keys in its [ldap] section."""

    def __init__(self, ldap_config=""):
        self.ldap_config = ldap_config
        super().__init__()

    def write_config(self, extra_config=""):
        super().write_config(extra_config)
        with open(self.config_path) as f:
            text = f.read()
        with open(self.config_path, "w") as f:
            f.write(text.replace("[ldap]\n", "[ldap]\n" + self.ldap_config, 1))


class LdapWorld:
    """A running server with the test population."""

    def __init__(self, ldap_config=""):
        self.server = LdapServer(ldap_config)
        self.server.start()
        self.populate()

    def cli(self, *args, **kw):
        return self.server.cli(*args, **kw)

    def populate(self):
        cli = self.cli
        cli("prov", "cd", "example.com")
        cli("prov", "cd", "other.org")
        cli("prov", "ca", "alice@example.com", PASSWORD, "givenName", "Alice", "sn", "Anderson",
            "displayName", "Alice Anderson", "title", "Engineer", "ou", "Research",
            "zimbraFeatureMobileSyncEnabled", "TRUE")
        cli("prov", "aaa", "alice@example.com", "ali@example.com")
        cli("prov", "ca", "bob@example.com", PASSWORD, "givenName", "Bob", "sn", "Brown",
            "displayName", "Bob Brown", "zimbraFeatureMobileSyncEnabled", "TRUE")
        cli("prov", "ca", "carol@example.com", PASSWORD, "givenName", "Carol", "sn", "Clark",
            "displayName", "Carol Clark")
        cli("prov", "ca", "dave@other.org", PASSWORD, "givenName", "Dave", "sn", "Davis",
            "displayName", "Dave Davis", "zimbraFeatureMobileSyncEnabled", "TRUE")
        cli("prov", "ca", "erin@example.com", PASSWORD, "givenName", "Erin", "sn", "Evans",
            "zimbraHideInGal", "TRUE", "zimbraFeatureMobileSyncEnabled", "TRUE")
        cli("prov", "ca", "frank@example.com", PASSWORD, "givenName", "Frank", "sn", "Fisher",
            "zimbraFeatureMobileSyncEnabled", "TRUE", "zimbraAccountStatus", "locked")
        cli("prov", "ca", "abc.person@example.com", PASSWORD, "givenName", "Abcde", "sn", "Person")
        cli("contacts", "add", "alice@example.com", "firstName", "Grace", "lastName", "Hopper",
            "email", "grace@navy.mil", "company", "US Navy")
        cli("contacts", "add", "alice@example.com", "firstName", "Alan", "lastName", "Turing",
            "email", "alan@bletchley.uk")
        cli("contacts", "createFolder", "alice@example.com", "/Contacts/Suppliers")
        cli("contacts", "add", "alice@example.com", "firstName", "Sam", "lastName", "Supplier",
            "email", "sam@supplies.com", "folder", "/Contacts/Suppliers")
        cli("contacts", "add", "bob@example.com", "firstName", "Secret", "lastName", "Friend",
            "email", "secret.friend@private.net")
        cli("contacts", "createFolder", "bob@example.com", "/Partners")
        cli("contacts", "add", "bob@example.com", "firstName", "Paula", "lastName", "Partner",
            "email", "paula@partners.com", "folder", "/Partners")
        cli("contacts", "add", "dave@other.org", "firstName", "Olga", "lastName", "Other",
            "email", "olga@other.org")
        cli("mobile", "addressBook", "add", "global", "bob@example.com", "/Partners")

    @property
    def ldaps_url(self):
        return f"ldaps://127.0.0.1:{self.server.ports['ldaps']}"

    @property
    def ldap_url(self):
        return f"ldap://127.0.0.1:{self.server.ports['ldap']}"

    def env(self):
        e = dict(os.environ)
        e["LDAPTLS_CACERT"] = self.server.ca_file
        e["LDAPTLS_REQCERT"] = "demand"
        e["LDAPCONF"] = "/dev/null"
        e["LDAPRC"] = "/dev/null"
        return e

    def ldapsearch(self, base="", scope="sub", filt="(objectClass=*)", attrs=(), user=None, password=PASSWORD,
                   url=None, starttls=False, extra=(), check=True):
        """Runs the real ldapsearch; returns (exit code, [(dn, attrs)], stderr)."""
        args = [LDAPSEARCH, "-LLL", "-o", "ldif-wrap=no", "-H", url or self.ldaps_url, "-x", "-b", base, "-s", scope]
        if starttls:
            args.append("-ZZ")
        if user is not None:
            args += ["-D", user, "-w", password]
        args += list(extra)
        args.append(filt)
        args += list(attrs)
        p = subprocess.run(args, capture_output=True, text=True, timeout=60, env=self.env())
        if check and p.returncode not in (0, 4):
            raise AssertionError(f"ldapsearch failed ({p.returncode}): {p.stderr}\n{' '.join(args)}")
        return p.returncode, parse_ldif(p.stdout), p.stderr

    def python_ldap(self, user="alice@example.com", password=PASSWORD, url=None):
        import ldap
        conn = ldap.initialize(url or self.ldaps_url)
        conn.set_option(ldap.OPT_X_TLS_CACERTFILE, self.server.ca_file)
        conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
        conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        conn.set_option(ldap.OPT_REFERRALS, 0)
        conn.protocol_version = 3
        if user:
            conn.simple_bind_s(user, password)
        return conn

    def tls_socket(self):
        ctx = ssl.create_default_context(cafile=self.server.ca_file)
        raw = socket.create_connection(("127.0.0.1", self.server.ports["ldaps"]), timeout=10)
        return ctx.wrap_socket(raw, server_hostname="localhost")

    def plain_socket(self):
        return socket.create_connection(("127.0.0.1", self.server.ports["ldap"]), timeout=10)

    def cleanup(self):
        self.server.cleanup()


class LdapTestCase(unittest.TestCase):
    ldap_config = ""  # lines for the [ldap] section

    @classmethod
    def setUpClass(cls):
        cls.world = LdapWorld(cls.ldap_config)

    @classmethod
    def tearDownClass(cls):
        cls.world.cleanup()

    def search(self, *args, **kw):
        return self.world.ldapsearch(*args, **kw)

    def names(self, entries):
        return sorted(a.get("cn", [""])[0] for _, a in entries if "cn" in a)


# ---- BER, for raw-socket tests -------------------------------------------------------------

def ber_len(n, long_form=False):
    if long_form:
        return b"\x84" + n.to_bytes(4, "big")
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content, long_form=False):
    return bytes([tag]) + ber_len(len(content), long_form) + content


def ber_int(n, tag=0x02, long_form=False):
    b = n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big", signed=True)
    return tlv(tag, b, long_form)


def read_element(data, pos=0):
    """Returns (tag, contents, next_pos) or None when incomplete."""
    if len(data) < pos + 2:
        return None
    tag = data[pos]
    first = data[pos + 1]
    if first < 0x80:
        n, hdr = first, 2
    else:
        k = first & 0x7F
        if len(data) < pos + 2 + k:
            return None
        n, hdr = int.from_bytes(data[pos + 2:pos + 2 + k], "big"), 2 + k
    if len(data) < pos + hdr + n:
        return None
    return tag, data[pos + hdr:pos + hdr + n], pos + hdr + n


def children(contents):
    out, pos = [], 0
    while pos < len(contents):
        tag, c, pos = read_element(contents, pos)
        out.append((tag, c))
    return out


def read_messages(sock, until_tag=None, timeout=10, limit=1000):
    """Reads LDAP messages until one whose protocolOp tag is `until_tag` (or EOF); returns
    [(message_id, op_tag, op_contents)]."""
    sock.settimeout(timeout)
    buf, out = b"", []
    deadline = time.time() + timeout
    while time.time() < deadline and len(out) < limit:
        while True:
            el = read_element(buf)
            if not el:
                break
            _, contents, used = el
            buf = buf[used:]
            parts = children(contents)
            msgid = int.from_bytes(parts[0][1], "big", signed=True)
            out.append((msgid, parts[1][0], parts[1][1]))
            if until_tag is not None and parts[1][0] == until_tag:
                return out
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
    return out


def result_code(op_contents):
    return int.from_bytes(children(op_contents)[0][1], "big")


def simple_bind(msgid, name, password, long_form=False):
    L = long_form
    body = ber_int(3, long_form=L) + tlv(0x04, name.encode(), L) + tlv(0x80, password.encode(), L)
    return tlv(0x30, ber_int(msgid, long_form=L) + tlv(0x60, body, L), L)


# ---- tests of the unauthenticated face ------------------------------------------------------

class LdapBeforeBindTest(LdapTestCase):
    def test_status_reports_the_bound_listeners(self):
        st = self.world.server.status()
        self.assertEqual(st["listeners"]["ldaps"], f"127.0.0.1:{self.world.server.ports['ldaps']}")
        self.assertEqual(st["listeners"]["ldap"], f"127.0.0.1:{self.world.server.ports['ldap']}")

    def test_root_dse_anonymously_over_ldaps(self):
        rc, entries, _ = self.search(base="", scope="base", attrs=["*", "+"])
        self.assertEqual(rc, 0)
        self.assertEqual(len(entries), 1)
        dn, a = entries[0]
        self.assertEqual(dn, "")
        self.assertEqual(a["namingcontexts"], [BASE])
        self.assertEqual(a["defaultnamingcontext"], [BASE])
        self.assertEqual(a["supportedldapversion"], ["3"])
        # Outlook's "Enable Browsing" needs VLV and server-side sort.
        self.assertIn("2.16.840.1.113730.3.4.9", a["supportedcontrol"])
        self.assertIn("1.2.840.113556.1.4.473", a["supportedcontrol"])
        self.assertIn("1.2.840.113556.1.4.319", a["supportedcontrol"])
        self.assertIn("1.3.6.1.4.1.1466.20037", a["supportedextension"])
        self.assertNotIn("configurationnamingcontext", a)

    def test_root_dse_with_outlook_attribute_list(self):
        rc, entries, _ = self.search(base="", scope="base",
                                     attrs=["defaultNamingContext", "namingContexts", "supportedControl",
                                            "configurationNamingContext"])
        self.assertEqual(rc, 0)
        a = entries[0][1]
        self.assertEqual(sorted(a), ["defaultnamingcontext", "namingcontexts", "supportedcontrol"])

    def test_anonymous_reads_nothing_but_the_root_dse(self):
        for base, scope in (("", "sub"), (BASE, "base"), (BASE, "sub"), ("", "one")):
            rc, entries, err = self.search(base=base, scope=scope, check=False)
            self.assertEqual(rc, 50, f"{base!r} {scope}: {err}")  # insufficientAccessRights
            self.assertEqual(entries, [])

    def test_anonymous_compare_is_refused_and_reveals_nothing(self):
        bob = "uid=bob@example.com,ou=InternalGAL/example.com," + BASE
        tool = ["/usr/bin/ldapcompare", "-x", "-H", self.world.ldaps_url]
        nobody = "uid=nobody@example.com,ou=InternalGAL/example.com," + BASE
        for dn, ava in ((bob, "sn:Brown"), (bob, "sn:Smith"), (nobody, "sn:x"), ("", "supportedLDAPVersion:3")):
            with self.subTest(dn=dn, ava=ava):
                p = subprocess.run(tool + [dn, ava], capture_output=True, text=True, env=self.world.env(),
                                   timeout=30)
                # insufficientAccessRights alike for a true, a false and a missing entry: no oracle.
                self.assertEqual(p.returncode, 50, p.stdout + p.stderr)
                self.assertNotIn("TRUE", p.stdout)
                self.assertNotIn("FALSE", p.stdout)
        # The control: the same comparison once signed in is answered.
        p = subprocess.run(tool + ["-D", "alice@example.com", "-w", PASSWORD, bob, "sn:Brown"], capture_output=True,
                           text=True, env=self.world.env(), timeout=30)
        self.assertEqual((p.returncode, p.stdout.strip()), (6, "TRUE"), p.stderr)

    def test_anonymous_whoami_is_anonymous(self):
        p = subprocess.run(["/usr/bin/ldapwhoami", "-x", "-H", self.world.ldaps_url], capture_output=True, text=True,
                           env=self.world.env(), timeout=30)
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "anonymous"), p.stderr)

    def test_failed_rebind_leaves_the_connection_anonymous(self):
        import ldap
        conn = self.world.python_ldap(user="alice@example.com")
        self.assertEqual(conn.whoami_s(), "dn:uid=alice@example.com,ou=InternalGAL/example.com," + BASE)
        self.assertTrue(conn.search_s(BASE, ldap.SCOPE_SUBTREE, "(sn=Hopper)", ["cn"]))
        with self.assertRaises(ldap.INVALID_CREDENTIALS):
            conn.simple_bind_s("alice@example.com", "wrong")
        self.assertEqual(conn.whoami_s(), "")  # RFC 4532: empty authzId for anonymous
        with self.assertRaises(ldap.INSUFFICIENT_ACCESS):
            conn.search_s(BASE, ldap.SCOPE_SUBTREE, "(sn=Hopper)", ["cn"])
        # The root DSE stays readable.
        self.assertEqual(conn.search_s("", ldap.SCOPE_BASE, "(objectClass=*)", ["namingContexts"])[0][1],
                         {"namingContexts": [BASE.encode()]})
        conn.unbind_s()

    # ---- TLS versions ------------------------------------------------------------------------

    OLD_TLS = {"TLS 1.0": ssl.TLSVersion.TLSv1, "TLS 1.1": ssl.TLSVersion.TLSv1_1}

    @staticmethod
    def pinned_context(version, cafile):
        """A client context offering exactly `version`, with every cipher allowed (OpenSSL 3 refuses
        TLS 1.0/1.1 at its default security level before sending anything)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cafile)
        with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated: that is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = version
            ctx.maximum_version = version
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        return ctx

    def old_tls_server_cert(self):
        d = os.path.join(self.world.server.root, "old-tls")
        if not os.path.exists(os.path.join(d, "cert.pem")):
            os.makedirs(d, exist_ok=True)
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                            "-keyout", os.path.join(d, "key.pem"), "-out", os.path.join(d, "cert.pem")],
                           check=True, capture_output=True, timeout=60)
        return os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")

    def assert_client_really_offers(self, name, version):
        """The control experiment: the same client settings complete a handshake with a local server
        that accepts old TLS, so a refusal by Switchboard is Switchboard's, not the client's."""
        cert, key = self.old_tls_server_cert()
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.load_cert_chain(cert, key)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            sctx.minimum_version = ssl.TLSVersion.TLSv1
            sctx.maximum_version = ssl.TLSVersion.TLSv1_1
        sctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        result = {}
        with socket.create_server(("127.0.0.1", 0)) as listener:
            listener.settimeout(10)

            def serve():
                try:
                    conn, _ = listener.accept()
                    conn.settimeout(10)
                    with sctx.wrap_socket(conn, server_side=True) as t:
                        result["server"] = t.version()
                except OSError as e:
                    result["server"] = e

            th = threading.Thread(target=serve)
            th.start()
            try:
                raw = socket.create_connection(listener.getsockname(), timeout=10)
                with self.pinned_context(version, cert).wrap_socket(raw, server_hostname="localhost") as c:
                    result["client"] = c.version()
            except (ssl.SSLError, OSError) as e:
                result["client"] = e
            finally:
                th.join(15)
        expected = {"TLS 1.0": "TLSv1", "TLS 1.1": "TLSv1.1"}[name]
        if isinstance(result.get("client"), ssl.SSLError) and "NO_CIPHERS" in str(result["client"]):
            self.skipTest(f"this OpenSSL cannot offer {name} at all: {result['client']}")
        self.assertEqual(result, {"client": expected, "server": expected}, f"control handshake with {name}")

    def starttls(self, sock):
        sock.sendall(tlv(0x30, ber_int(1) + tlv(0x77, tlv(0x80, b"1.3.6.1.4.1.1466.20037"))))
        msgs = read_messages(sock, until_tag=0x78)
        self.assertEqual((msgs[-1][0], result_code(msgs[-1][2])), (1, 0), "StartTLS not accepted")

    HOW = ("LDAPS", "StartTLS", "TLS on the LDAP port")

    def connect(self, how, ctx):
        """A TLS connection by LDAPS, by StartTLS on the LDAP port or by TLS from the first byte on
        the LDAP port, with `ctx`."""
        port = self.world.server.ports["ldaps" if how == "LDAPS" else "ldap"]
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            if how == "StartTLS":
                self.starttls(raw)
            return ctx.wrap_socket(raw, server_hostname="localhost")
        except BaseException:
            raw.close()
            raise

    def test_tls_below_1_2_is_refused_by_the_server(self):
        ca = self.world.server.ca_file
        for name, version in self.OLD_TLS.items():
            self.assert_client_really_offers(name, version)
            for how in self.HOW:
                with self.subTest(tls=name, how=how):
                    with self.assertRaises(ssl.SSLError) as cm:
                        self.connect(how, self.pinned_context(version, ca)).close()
                    # The server's protocol_version alert, not a local refusal to offer the version.
                    self.assertEqual(cm.exception.reason, "TLSV1_ALERT_PROTOCOL_VERSION", str(cm.exception))

    def test_tls_1_2_and_1_3_are_accepted(self):
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            for how in self.HOW:
                with self.subTest(tls=version.name, how=how):
                    with self.connect(how, self.pinned_context(version, self.world.server.ca_file)) as s:
                        self.assertEqual(s.version(), version.name.replace("TLSv1_", "TLSv1."))
                        s.sendall(simple_bind(2, "alice@example.com", PASSWORD))
                        msgs = read_messages(s, until_tag=0x61)
                        self.assertEqual((msgs[-1][0], result_code(msgs[-1][2])), (2, 0))

    def test_ldap_port_serves_implicit_tls_and_starttls(self):
        """Outlook's "Use SSL" on the LDAP port: TLS from the first byte works there, as does
        StartTLS, and a password in clear is still refused."""
        tls_on_ldap_port = f"ldaps://127.0.0.1:{self.world.server.ports['ldap']}"
        for how, url, starttls in (("ldaps:// on the LDAP port", tls_on_ldap_port, False),
                                   ("StartTLS", self.world.ldap_url, True)):
            with self.subTest(how=how):
                rc, entries, err = self.search(url=url, starttls=starttls, user="alice@example.com",
                                               filt="(sn=Hopper)", attrs=["cn"])
                self.assertEqual((rc, self.names(entries)), (0, ["Grace Hopper"]), err)
        rc, entries, err = self.search(url=self.world.ldap_url, user="alice@example.com", filt="(sn=Hopper)",
                                       attrs=["cn"], check=False)
        self.assertEqual((rc, entries), (13, []), err)  # confidentialityRequired
        conn = self.world.python_ldap(user="alice@example.com", url=tls_on_ldap_port)
        self.assertEqual(conn.whoami_s(), "dn:uid=alice@example.com,ou=InternalGAL/example.com," + BASE)
        conn.unbind_s()

    def test_cleartext_bind_needs_tls(self):
        rc, _, err = self.search(base=BASE, scope="base", user="alice@example.com", url=self.world.ldap_url,
                                 check=False)
        self.assertEqual(rc, 13, err)  # confidentialityRequired

    def test_sasl_and_ntlm_are_not_offered(self):
        rc, entries, _ = self.search(base="", scope="base", attrs=["supportedSASLMechanisms"])
        self.assertEqual(rc, 0)
        self.assertNotIn("supportedsaslmechanisms", entries[0][1])


if __name__ == "__main__":
    unittest.main()
