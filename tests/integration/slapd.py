"""A real OpenLDAP slapd for tests and benchmarks, on loopback ports, in a temporary directory.

    with Slapd(suffix="dc=example,dc=com") as d:      # or d = Slapd(...); d.start(); ...; d.cleanup()
        d.add_ldif(text)                            # ldapadd as the root DN (server running)
        d.uri("ldap") / d.uri("ldaps")              # ldap://127.0.0.1:PORT (StartTLS works there too)
        d.ca_file                                   # CA that signed the server certificate
        d.stop(); d.start()                         # data survives; same ports
        d.pause(); d.resume()                       # SIGSTOP / SIGCONT: a directory that hangs

What it sets up: back-mdb with equality indexes, a test CA and server certificate for
"localhost" and 127.0.0.1 (StartTLS on the ldap port, implicit TLS on the ldaps port), a size
limit of `size_limit` entries for every identity but the root DN (paged searches may return more,
page by page, as Active Directory's MaxPageSize does), the syncprov overlay (RFC 4533 content
synchronisation, with a session log), and a service account `service_dn` / `service_password`
that may read everything. `load_ldif()` before start() loads with slapadd (fast, for 100k
entries). Every wait is bounded; failures carry slapd's log.

Schemas: core, cosine, inetorgperson, nis (posixAccount, posixGroup) and a small test schema with
the Active Directory attribute names (userPrincipalName, sAMAccountName, proxyAddresses,
userAccountControl, objectGUID) on an auxiliary class `adUserTest`, so AD-style mappings can be
exercised against slapd (slapd still answers as OpenLDAP in its rootDSE)."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
LDAPADD = "/usr/bin/ldapadd"
LDAPMODIFY = "/usr/bin/ldapmodify"
LDAPSEARCH = "/usr/bin/ldapsearch"
SCHEMA_DIR = "/etc/ldap/schema"
MODULE_DIR = "/usr/lib/ldap"

# Attribute names as Active Directory has them; OIDs under a private test arc.
AD_TEST_SCHEMA = """
objectidentifier sbTest 1.3.6.1.4.1.99999.77
attributetype ( sbTest:1 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch
  SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( sbTest:2 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch
  SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( sbTest:3 NAME 'proxyAddresses' EQUALITY caseIgnoreMatch
  SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
attributetype ( sbTest:4 NAME 'userAccountControl' EQUALITY integerMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( sbTest:5 NAME 'objectGUID' EQUALITY octetStringMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( sbTest:6 NAME 'department' EQUALITY caseIgnoreMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( sbTest:100 NAME 'adUserTest' AUXILIARY
  MAY ( userPrincipalName $ sAMAccountName $ proxyAddresses $ userAccountControl $ objectGUID $ department ) )
"""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args, timeout=60, input=None, check=True):
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, input=input)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def make_ca(directory, name="Switchboard Test CA"):
    """A CA key and certificate in `directory`; returns (cert, key) paths."""
    os.makedirs(directory, exist_ok=True)
    key, cert = os.path.join(directory, "ca.key"), os.path.join(directory, "ca.crt")
    _run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-keyout", key, "-out", cert, "-days", "3", "-subj", f"/CN={name}",
          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    return cert, key


def make_server_cert(directory, ca_cert, ca_key, hosts=("localhost",), ips=("127.0.0.1",)):
    """A server key and certificate signed by the CA, for the given names; returns (cert, key)."""
    key, csr, cert = (os.path.join(directory, n) for n in ("server.key", "server.csr", "server.crt"))
    san = ",".join([f"DNS:{h}" for h in hosts] + [f"IP:{i}" for i in ips])
    _run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-keyout", key, "-out", csr, "-subj", f"/CN={hosts[0]}", "-addext", f"subjectAltName={san}"])
    _run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial",
          "-out", cert, "-days", "3", "-copy_extensions", "copy"])
    os.chmod(key, 0o600)
    return cert, key


class Slapd:
    def __init__(self, suffix="dc=example,dc=com", size_limit=1000, root_password="rootsecret",
                 service_password="servicesecret", syncprov=True, extra_config="", log_level="none"):
        self.root = tempfile.mkdtemp(prefix="sbslapd-")
        self.suffix = suffix
        self.size_limit = size_limit
        self.root_dn = f"cn=admin,{suffix}"
        self.root_password = root_password
        self.service_dn = f"cn=switchboard,ou=services,{suffix}"
        self.service_password = service_password
        self.syncprov = syncprov
        self.extra_config = extra_config
        self.log_level = log_level
        self.ports = {"ldap": free_port(), "ldaps": free_port()}
        self.db_dir = os.path.join(self.root, "db")
        self.log_path = os.path.join(self.root, "slapd.log")
        self.conf_path = os.path.join(self.root, "slapd.conf")
        self.proc = None
        self._log = None
        os.makedirs(self.db_dir)
        self.ca_file, ca_key = make_ca(os.path.join(self.root, "tls"))
        self.cert_file, self.key_file = make_server_cert(os.path.join(self.root, "tls"), self.ca_file, ca_key)
        with open(os.path.join(self.root, "ad-test.schema"), "w") as f:
            f.write(AD_TEST_SCHEMA)
        self._write_config()
        self._base_loaded = False

    # ---- configuration ----

    def _write_config(self):
        limit = "unlimited" if not self.size_limit else str(self.size_limit)
        lines = [f"include {SCHEMA_DIR}/{s}.schema" for s in ("core", "cosine", "inetorgperson", "nis")]
        lines += [
            f"include {self.root}/ad-test.schema",
            f"modulepath {MODULE_DIR}",
            "moduleload back_mdb",
        ]
        if self.syncprov:
            lines.append("moduleload syncprov")
        lines += [
            f"pidfile {self.root}/slapd.pid",
            f"argsfile {self.root}/slapd.args",
            f"TLSCACertificateFile {self.ca_file}",
            f"TLSCertificateFile {self.cert_file}",
            f"TLSCertificateKeyFile {self.key_file}",
            # Paged searches may go past the limit page by page, as Active Directory allows.
            f"sizelimit size.soft={limit} size.hard={limit} size.prtotal=unlimited",
            "timelimit 60",
            "database mdb",
            "maxsize 4294967296",
            f"suffix \"{self.suffix}\"",
            f"rootdn \"{self.root_dn}\"",
            f"rootpw {self.root_password}",
            f"directory {self.db_dir}",
            "index objectClass eq",
            "index uid,cn,mail,memberUid,member,uniqueMember,userPrincipalName,sAMAccountName eq",
            "index entryUUID,entryCSN eq",
            "access to attrs=userPassword by self read by anonymous auth "
            f"by dn.exact=\"{self.service_dn}\" read by * none",
            "access to * by * read",
        ]
        if self.syncprov:
            lines += ["overlay syncprov", "syncprov-checkpoint 100 1", "syncprov-sessionlog 100000"]
        lines.append(self.extra_config)
        with open(self.conf_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def base_ldif(self):
        """The suffix entry, ou=people, ou=groups, ou=services and the service account."""
        first = self.suffix.split(",")[0]
        attr, value = first.split("=", 1)
        top = (f"dn: {self.suffix}\nobjectClass: dcObject\nobjectClass: organization\no: Example Corp\n{attr}: {value}\n\n"
               if attr.lower() == "dc" else f"dn: {self.suffix}\nobjectClass: organization\no: {value}\n\n")
        return (top +
                f"dn: ou=people,{self.suffix}\nobjectClass: organizationalUnit\nou: people\n\n"
                f"dn: ou=groups,{self.suffix}\nobjectClass: organizationalUnit\nou: groups\n\n"
                f"dn: ou=services,{self.suffix}\nobjectClass: organizationalUnit\nou: services\n\n"
                f"dn: {self.service_dn}\nobjectClass: person\nobjectClass: simpleSecurityObject\n"
                f"cn: switchboard\nsn: service\nuserPassword: {self.service_password}\n\n")

    # ---- life cycle ----

    def uri(self, kind="ldap"):
        return f"{kind}://127.0.0.1:{self.ports[kind]}"

    def load_ldif(self, text, with_base=True):
        """Loads entries with slapadd while the server is stopped (fast; operational attributes
        such as entryUUID and modifyTimestamp are generated)."""
        if self.running:
            raise RuntimeError("load_ldif() needs the server stopped; use add_ldif()")
        if with_base and not self._base_loaded:
            text = self.base_ldif() + text
            self._base_loaded = True
        path = os.path.join(self.root, "load.ldif")
        with open(path, "w") as f:
            f.write(text)
        _run([SLAPADD, "-q", "-f", self.conf_path, "-l", path], timeout=1800)
        os.unlink(path)

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout=30):
        if self.running:
            return self
        if not self._base_loaded:
            self.load_ldif("", with_base=True)
        urls = f"ldap://127.0.0.1:{self.ports['ldap']}/ ldaps://127.0.0.1:{self.ports['ldaps']}/"
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([SLAPD, "-d", self.log_level, "-h", urls, "-f", self.conf_path],
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"slapd exited with {self.proc.returncode}:\n{self.log_tail()}")
            p = _run([LDAPSEARCH, "-x", "-H", self.uri("ldap"), "-b", "", "-s", "base", "-o", "nettimeout=2",
                      "namingContexts"], timeout=10, check=False)
            if p.returncode == 0:
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"slapd did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self, timeout=20):
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    os.kill(self.proc.pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass
                self.proc.terminate()
                try:
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(10)
            self.proc = None
        if self._log:
            self._log.close()
            self._log = None

    def restart(self):
        self.stop()
        return self.start()

    def pause(self):
        """The process stays, the sockets stay open, nothing answers (a hung directory)."""
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)

    def cleanup(self):
        try:
            self.stop()
        finally:
            if os.environ.get("SB_KEEP_TEST_DIRS"):
                print(f"kept {self.root}")
            else:
                shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"".join(f.readlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    # ---- changes while running (as the root DN, through the ldap-utils) ----

    def _tool(self, tool, ldif, extra=()):
        args = [tool, "-x", "-H", self.uri("ldap"), "-D", self.root_dn, "-w", self.root_password,
                "-o", "nettimeout=10", *extra]
        return _run(args, input=ldif, timeout=600)

    def add_ldif(self, ldif):
        """Adds entries (LDIF content records)."""
        return self._tool(LDAPADD, ldif)

    def modify_ldif(self, ldif):
        """Applies LDIF change records (changetype: modify / delete / modrdn / add)."""
        return self._tool(LDAPMODIFY, ldif)

    def delete(self, *dns):
        return self.modify_ldif("".join(f"dn: {dn}\nchangetype: delete\n\n" for dn in dns))

    def search(self, base, filt="(objectClass=*)", attrs=(), scope="sub"):
        """ldapsearch as the root DN; returns the LDIF text."""
        return _run([LDAPSEARCH, "-x", "-LLL", "-o", "ldif-wrap=no", "-H", self.uri("ldap"), "-D", self.root_dn,
                     "-w", self.root_password, "-b", base, "-s", scope, filt, *attrs], timeout=60).stdout

    def entry_uuid(self, dn):
        out = self.search(dn, attrs=("entryUUID",), scope="base")
        for line in out.splitlines():
            if line.lower().startswith("entryuuid:"):
                return line.split(":", 1)[1].strip()
        raise KeyError(dn)


# ---- LDIF builders ----

def ldif_value(value):
    """` value` or `: base64` (RFC 2849 SAFE-STRING rules) for one attribute value (str or bytes)."""
    import base64
    if isinstance(value, bytes):
        return ": " + base64.b64encode(value).decode()
    if value and (not value.isascii() or value[0] in " :<" or value[-1] == " " or "\n" in value):
        return ": " + base64.b64encode(value.encode()).decode()
    return " " + value


def entry_ldif(dn, attrs):
    """One LDIF content record; `attrs` maps names to a value or a list of values."""
    lines = [f"dn:{ldif_value(dn)}"]
    for name, values in attrs.items():
        if not isinstance(values, (list, tuple)):
            values = [values]
        lines += [f"{name}:{ldif_value(v)}" for v in values]
    return "\n".join(lines) + "\n\n"


def person_ldif(dn, uid, given="", sn="", mail=None, password=None, extra_classes=(), **attrs):
    """An inetOrgPerson (plus `extra_classes`, e.g. posixAccount or adUserTest)."""
    sn = sn or uid.capitalize()
    given = given or uid.capitalize()
    a = {"objectClass": ["inetOrgPerson", *extra_classes], "uid": uid, "cn": f"{given} {sn}", "sn": sn,
         "givenName": given, "displayName": f"{given} {sn}"}
    if mail:
        a["mail"] = mail
    if password:
        a["userPassword"] = password
    a.update(attrs)
    return entry_ldif(dn, a)


# ---- a connection that dies in the middle ----

class CuttingProxy:
    """A TCP proxy in front of an LDAP server that forwards whole LDAP messages and, after
    `cut_after` SearchResultEntry messages (RFC 4511 [APPLICATION 4]) have gone to the client,
    calls `on_cut()` (e.g. slapd.stop) and closes both sides: a directory lost mid-listing."""

    def __init__(self, upstream_port, cut_after, on_cut=None):
        import threading
        self.upstream_port = upstream_port
        self.cut_after = cut_after
        self.on_cut = on_cut
        self.entries = 0
        self.cut = threading.Event()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @staticmethod
    def _message_length(buf):
        """Total length of the BER message at the start of buf, or None if incomplete."""
        if len(buf) < 2:
            return None
        first = buf[1]
        if first < 0x80:
            return 2 + first if len(buf) >= 2 + first else None
        n = first & 0x7F
        if len(buf) < 2 + n:
            return None
        length = int.from_bytes(buf[2:2 + n], "big")
        return 2 + n + length if len(buf) >= 2 + n + length else None

    @staticmethod
    def _op_tag(msg):
        # SEQUENCE header, then messageID INTEGER, then the protocolOp tag.
        i = 2 + (msg[1] & 0x7F if msg[1] & 0x80 else 0)
        id_len = msg[i + 1]
        return msg[i + 2 + id_len]

    def _accept(self):
        import threading
        while not self.cut.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=10)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pump_up, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(upstream, client), daemon=True).start()

    def _pump_up(self, client, upstream):
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                upstream.sendall(data)
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _pump_down(self, upstream, client):
        buf = b""
        try:
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                buf += data
                while True:
                    n = self._message_length(buf)
                    if n is None:
                        break
                    msg, buf = buf[:n], buf[n:]
                    if self._op_tag(msg) == 0x64:
                        with self._lock:
                            self.entries += 1
                            cut = self.entries > self.cut_after and not self.cut.is_set()
                            if cut:
                                self.cut.set()
                        if cut:
                            if self.on_cut:
                                self.on_cut()
                            raise OSError("cut")
                    client.sendall(msg)
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self):
        self.cut.set()
        self.listener.close()
