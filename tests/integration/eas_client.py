"""A small ActiveSync client for the integration tests: request bodies are written as XML and
encoded by libwbxml2's `xml2wbxml -a -n -v 1.3`, sent over TLS (trusting the server's generated
CA), and every WBXML answer is decoded by `wbxml2xml -l ACTIVESYNC` into an ElementTree."""
import base64
import http.client
import os
import ssl
import struct
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

CONTENT_TYPE = "application/vnd.ms-sync.wbxml"
COMMAND_CODES = {"Sync": 0, "FolderSync": 9, "FolderCreate": 10, "FolderDelete": 11, "FolderUpdate": 12,
                 "GetItemEstimate": 14, "Settings": 17, "Ping": 18, "Provision": 20, "SendMail": 1}
HEADER = '<?xml version="1.0" encoding="utf-8"?>\n' \
         '<!DOCTYPE ActiveSync PUBLIC "-//MICROSOFT//DTD ActiveSync//EN" "http://www.microsoft.com/">\n'


def encode(xml):
    """XML text → WBXML bytes with the reference encoder."""
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.xml"), os.path.join(d, "out.wbxml")
        with open(src, "w", encoding="utf-8") as f:
            f.write(xml if xml.startswith("<?xml") else HEADER + xml)
        subprocess.run(["xml2wbxml", "-a", "-n", "-v", "1.3", "-o", dst, src], check=True,
                       capture_output=True, timeout=60)
        with open(dst, "rb") as f:
            return f.read()


def decode(body):
    """WBXML bytes → ElementTree root (namespaces stripped to local names)."""
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.wbxml"), os.path.join(d, "out.xml")
        with open(src, "wb") as f:
            f.write(body)
        subprocess.run(["wbxml2xml", "-l", "ACTIVESYNC", "-o", dst, src], check=True, capture_output=True, timeout=60)
        with open(dst, "rb") as f:
            text = f.read()
    root = ET.fromstring(text)
    for e in root.iter():
        if "}" in e.tag:
            e.tag = e.tag.split("}", 1)[1]
    return root


def find(e, path):
    return e.find(path)


def text(e, path, default=None):
    x = e.find(path)
    return x.text if x is not None and x.text is not None else default


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body
        self.xml = decode(body) if body and status == 200 else None

    def __repr__(self):
        x = ET.tostring(self.xml).decode() if self.xml is not None else self.body[:200]
        return f"Answer({self.status}, {x})"


class Device:
    """One phone: its id, type, protocol version and PolicyKey."""

    def __init__(self, port, ca_file, user, password, device_id="Dev1", device_type="iPhone", version="14.1",
                 user_agent="Apple-iPhone/1705.1", base64_query=False, timeout=60):
        self.port, self.user, self.password = port, user, password
        self.device_id, self.device_type, self.version = device_id, device_type, version
        self.user_agent, self.base64_query, self.timeout = user_agent, base64_query, timeout
        self.policy_key = None
        self.ctx = ssl.create_default_context(cafile=ca_file)
        self.conn = None

    def connection(self, timeout=None):
        return http.client.HTTPSConnection("localhost", self.port, context=self.ctx, timeout=timeout or self.timeout)

    def auth_header(self, user=None, password=None):
        raw = f"{user or self.user}:{password if password is not None else self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    def query(self, cmd):
        if not self.base64_query:
            return f"Cmd={cmd}&User={self.user}&DeviceId={self.device_id}&DeviceType={self.device_type}"
        v = int(self.version.replace(".", ""))
        b = struct.pack("<BBH", v, COMMAND_CODES[cmd], 0x0409)
        b += bytes([len(self.device_id)]) + self.device_id.encode()
        b += (b"\x04" + struct.pack("<I", self.policy_key)) if self.policy_key else b"\x00"
        b += bytes([len(self.device_type)]) + self.device_type.encode()
        user = self.user.encode()
        b += bytes([8, len(user)]) + user
        return base64.b64encode(b).decode()

    def raw(self, method, target, body=b"", headers=None, timeout=None):
        conn = self.connection(timeout)
        try:
            conn.request(method, target, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            conn.close()

    def post(self, cmd, xml=None, body=None, password=None, timeout=None, extra_headers=None):
        if body is None:
            body = encode(xml) if xml else b""
        headers = {"Authorization": self.auth_header(password=password), "User-Agent": self.user_agent,
                   "Content-Type": CONTENT_TYPE}
        if not self.base64_query:
            headers["MS-ASProtocolVersion"] = self.version
            if self.policy_key:
                headers["X-MS-PolicyKey"] = str(self.policy_key)
        headers.update(extra_headers or {})
        status, hdrs, data = self.raw("POST", "/Microsoft-Server-ActiveSync?" + self.query(cmd), body, headers,
                                      timeout)
        return Answer(status, hdrs, data)

    def options(self):
        status, hdrs, _ = self.raw("OPTIONS", "/Microsoft-Server-ActiveSync",
                                   headers={"Authorization": self.auth_header(), "User-Agent": self.user_agent})
        return status, hdrs

    # ---- conversations ----

    def provision(self):
        """Both phases; keeps the final PolicyKey."""
        a = self.post("Provision", '<Provision xmlns="Provision:"><Policies><Policy>'
                                   '<PolicyType>MS-EAS-Provisioning-WBXML</PolicyType></Policy></Policies></Provision>')
        assert a.status == 200, a
        temp = text(a.xml, "Policies/Policy/PolicyKey")
        assert text(a.xml, "Status") == "1" and temp, a
        b = self.post("Provision", '<Provision xmlns="Provision:"><Policies><Policy>'
                                   '<PolicyType>MS-EAS-Provisioning-WBXML</PolicyType>'
                                   f'<PolicyKey>{temp}</PolicyKey><Status>1</Status></Policy></Policies></Provision>')
        assert b.status == 200, b
        self.policy_key = int(text(b.xml, "Policies/Policy/PolicyKey"))
        return a, b

    def folder_sync(self, key="0"):
        return self.post("FolderSync", f'<FolderSync xmlns="FolderHierarchy:"><SyncKey>{key}</SyncKey></FolderSync>')

    def sync(self, collections, window=None, outer="", timeout=None):
        """collections: list of dicts {id, key, window, commands(xml), options(xml), get_changes};
        outer: more children of <Sync> (Wait, HeartbeatInterval, Partial)."""
        parts = []
        for c in collections:
            x = f"<Collection><SyncKey>{c['key']}</SyncKey><CollectionId>{c['id']}</CollectionId>"
            if c.get("get_changes") is not None:
                x += f"<GetChanges>{1 if c['get_changes'] else 0}</GetChanges>"
            if c.get("window"):
                x += f"<WindowSize>{c['window']}</WindowSize>"
            if c.get("options"):
                x += f"<Options>{c['options']}</Options>"
            if c.get("commands"):
                x += f"<Commands>{c['commands']}</Commands>"
            x += "</Collection>"
            parts.append(x)
        w = f"<WindowSize>{window}</WindowSize>" if window else ""
        return self.post("Sync", '<Sync xmlns="AirSync:" xmlns:contacts="Contacts:" xmlns:asb="AirSyncBase:">'
                                 f'<Collections>{"".join(parts)}</Collections>{w}{outer}</Sync>', timeout=timeout)


def contact_xml(first, last, email=None, phone=None):
    x = f"<contacts:FirstName>{first}</contacts:FirstName><contacts:LastName>{last}</contacts:LastName>"
    if email:
        x += f"<contacts:Email1Address>{email}</contacts:Email1Address>"
    if phone:
        x += f"<contacts:MobilePhoneNumber>{phone}</contacts:MobilePhoneNumber>"
    return x


class Phone:
    """A device's local copy of one contacts collection, kept the way a phone keeps it."""

    def __init__(self, device, collection="7"):
        self.d, self.collection = device, collection
        self.key = "0"
        self.items = {}  # ServerId → {tag: value}

    def apply(self, coll):
        cmds = coll.find("Commands")
        if cmds is not None:
            for c in cmds:
                sid = text(c, "ServerId")
                if c.tag == "Add":
                    assert sid not in self.items, f"server added {sid} twice"
                    self.items[sid] = {x.tag: x.text for x in c.find("ApplicationData")}
                elif c.tag == "Change":
                    self.items[sid] = {x.tag: x.text for x in c.find("ApplicationData")}
                elif c.tag in ("Delete", "SoftDelete"):
                    self.items.pop(sid, None)
        return coll

    def sync_once(self, window=100, commands=None, options=None):
        """One Sync round trip; returns (collection element, more available)."""
        a = self.d.sync([{"id": self.collection, "key": self.key, "window": window, "commands": commands,
                          "options": options}])
        assert a.status == 200, a
        coll = a.xml.find("Collections/Collection")
        assert coll is not None, a
        assert text(coll, "Status") == "1", a
        self.key = text(coll, "SyncKey")
        self.apply(coll)
        return coll, coll.find("MoreAvailable") is not None

    def sync_all(self, window=100, limit=1000):
        if self.key == "0":
            self.sync_once(window)
        rounds = 0
        while True:
            _, more = self.sync_once(window)
            rounds += 1
            if not more:
                return rounds
            assert rounds < limit


def parked(server):
    """How many requests (Ping, Sync with Wait) the server holds parked."""
    return server.json("mobile", "getParkedRequests")["parked"]


def wait_parked(server, n, timeout=300):
    """Waits until the server holds at least n parked requests; returns the count. Tests wait for
    this instead of sleeping, however long a request takes to reach the server."""
    deadline = time.monotonic() + timeout
    held = 0
    while time.monotonic() < deadline:
        held = parked(server)
        if held >= n:
            return held
        time.sleep(0.05)
    raise AssertionError(f"the server holds {held} parked requests, not {n}, after {timeout} s")
