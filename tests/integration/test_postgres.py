"""The real server on PostgreSQL (store.backend = "postgresql"), driven through the CLI: provisioning,
logins and contacts on one node, then two server processes sharing one database: a change made
through node A is visible through node B, and B's login cache drops a password changed through A
(LISTEN/NOTIFY). Skipped only when the PostgreSQL server binaries are not installed."""
import concurrent.futures
import os
import time
import unittest

from harness import Server
import pg_cluster

CLUSTER = None


def setUpModule():
    global CLUSTER
    bindir = pg_cluster.find_bindir()
    if not bindir:
        raise unittest.SkipTest(pg_cluster.MISSING)
    CLUSTER = pg_cluster.PgCluster(bindir).start()


def tearDownModule():
    if CLUSTER:
        CLUSTER.stop()


def store_config(url):
    return f'[store]\nbackend = "postgresql"\nurl = "{url}"\n'


def start_node(url, extra=""):
    server = Server(store_config(url) + extra)
    try:
        server.start()
    except Exception:
        server.cleanup()
        raise
    return server


class PostgresNodeTest(unittest.TestCase):
    """One node whose database belongs to an unprivileged role, as docs/postgresql.md sets it up."""

    @classmethod
    def setUpClass(cls):
        CLUSTER.psql("postgres", "CREATE ROLE switchboard LOGIN")
        db = CLUSTER.create_database(owner="switchboard")
        cls.url = CLUSTER.url(db).replace("user=postgres", "user=switchboard") + " pool_size=4"
        cls.db = db
        cls.server = start_node(cls.url)
        s = cls.server
        s.cli("prov", "cd", "example.com")
        s.cli("config", "set", "global", "authThrottleAccountFailures", "1000", "authThrottleAddressFailures",
              "100000")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def cli(self, *args, **kw):
        return self.server.cli(*args, **kw)

    def json(self, *args, **kw):
        return self.server.json(*args, **kw)

    def test_status_names_the_backend(self):
        st = self.server.status()
        self.assertEqual(st["store"], "postgresql")
        self.assertGreaterEqual(st["schemaVersion"], 1)
        # The tables belong to the unprivileged role that ran the migrations.
        owners = CLUSTER.psql(self.db, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
        self.assertEqual(owners.split(), ["switchboard"])

    def test_provisioning(self):
        self.cli("prov", "ca", "ann@example.com", "ann-pw", "displayName", "Ann Example")
        self.cli("prov", "aaa", "ann@example.com", "a.example@example.com")
        a = self.json("prov", "ga", "a.example@example.com")
        self.assertEqual((a["name"], a["aliases"]), ("ann@example.com", ["a.example@example.com"]))
        self.assertIn("ann@example.com", [x["name"] for x in self.json("prov", "gaa")["accounts"]])
        r = self.cli("prov", "ca", "ANN@example.com", "x", check=False)
        self.assertNotEqual(r.rc, 0)
        self.assertIn("already in use", r.err)
        self.cli("prov", "ma", "ann@example.com", "zimbraFeatureMobileSyncEnabled", "TRUE")
        self.assertIn("zimbraFeatureMobileSyncEnabled: TRUE",
                      self.cli("prov", "ga", "ann@example.com", "zimbraFeatureMobileSyncEnabled").out)
        self.cli("prov", "ra", "ann@example.com", "anne@example.com")
        self.assertNotEqual(self.cli("prov", "ga", "ann@example.com", check=False).rc, 0)
        self.cli("prov", "da", "anne@example.com")
        self.assertNotEqual(self.cli("prov", "ga", "anne@example.com", check=False).rc, 0)

    def test_logins(self):
        self.cli("prov", "ca", "bob@example.com", "bob-pw")
        self.assertEqual(self.json("auth", "test", "bob@example.com", "bob-pw", "service", "IMAP")["method"],
                         "password")
        self.assertNotEqual(self.cli("auth", "test", "bob@example.com", "nope", check=False).rc, 0)
        r = self.json("auth", "credential", "add", "bob@example.com", "password", "bob-mobile", "label", "Phone")
        self.assertEqual(self.json("auth", "test", "bob@example.com", "bob-mobile", "service", "EAS")["method"],
                         f"credential {r['id']}")
        self.assertNotEqual(self.cli("auth", "test", "bob@example.com", "bob-pw", "service", "EAS", check=False).rc, 0)
        self.cli("prov", "sp", "bob@example.com", "bob-pw-2")
        self.assertNotEqual(self.cli("auth", "test", "bob@example.com", "bob-pw", "service", "IMAP",
                                     check=False).rc, 0)
        self.json("auth", "test", "bob@example.com", "bob-pw-2", "service", "IMAP")

    def test_contacts(self):
        self.cli("prov", "ca", "carol@example.com", "")
        f = self.json("contacts", "createFolder", "carol@example.com", "/Contacts/Suppliers")
        self.assertGreaterEqual(f["id"], 257)
        self.cli("contacts", "add", "carol@example.com", "firstName", "Jürgen", "lastName", "Weiß",
                 "email", "j@parts.example", "folder", "/Contacts/Suppliers")
        listed = self.json("contacts", "list", "carol@example.com")["contacts"]
        self.assertEqual([c["fields"]["lastName"] for c in listed], ["Weiß"])
        vcf = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "contacts.vcf")
        self.assertEqual(self.json("contacts", "import", "carol@example.com", vcf)["imported"], 4)
        self.assertEqual(self.json("contacts", "export", "carol@example.com")["count"], 5)
        folders = {x["path"]: x for x in self.json("contacts", "listFolders", "carol@example.com")["folders"]}
        self.assertEqual(folders["/Contacts/Suppliers"]["contacts"], 1)
        self.assertNotEqual(self.cli("contacts", "createFolder", "carol@example.com", "/contacts/SUPPLIERS",
                                     check=False).rc, 0)


class PostgresTwoNodesTest(unittest.TestCase):
    """Two server processes on one database."""

    @classmethod
    def setUpClass(cls):
        url = CLUSTER.url(CLUSTER.create_database())
        cls.a = start_node(url)
        try:
            cls.b = start_node(url)
        except Exception:
            cls.a.cleanup()
            raise
        cls.a.cli("prov", "cd", "example.com")
        cls.a.cli("config", "set", "global", "authThrottleAccountFailures", "1000", "authThrottleAddressFailures",
                  "100000")

    @classmethod
    def tearDownClass(cls):
        cls.b.cleanup()
        cls.a.cleanup()

    def test_a_change_through_a_is_visible_through_b(self):
        self.a.cli("prov", "ca", "dave@example.com", "dave-pw", "displayName", "Dave")
        self.assertIn("dave@example.com", self.b.cli("prov", "gaa").out)
        self.b.cli("prov", "ma", "dave@example.com", "title", "Engineer")
        self.assertIn("Engineer", self.a.cli("prov", "ga", "dave@example.com", "title").out)
        self.a.cli("contacts", "add", "dave@example.com", "firstName", "Eve", "email", "eve@x.example")
        self.assertEqual([c["fields"]["firstName"] for c in self.b.json("contacts", "list", "dave@example.com")
                          ["contacts"]], ["Eve"])
        self.assertEqual(self.b.status()["accounts"], self.a.status()["accounts"])

    def test_password_changed_through_a_ends_logins_cached_by_b(self):
        self.a.cli("prov", "ca", "erin@example.com", "old-pw")
        # B checks the login twice: the second answer comes from B's cache.
        for _ in range(2):
            self.b.json("auth", "test", "erin@example.com", "old-pw", "service", "EAS")
        self.a.cli("prov", "sp", "erin@example.com", "new-pw")
        # Without the NOTIFY from A, B would accept the cached old password for a minute.
        deadline = time.time() + 5
        while True:
            r = self.b.cli("auth", "test", "erin@example.com", "old-pw", "service", "EAS", check=False)
            if r.rc != 0:
                break
            self.assertLess(time.time(), deadline, "node B still accepts the old password from its cache")
            time.sleep(0.05)
        self.assertIn("wrong password", r.err)
        self.b.json("auth", "test", "erin@example.com", "new-pw", "service", "EAS")
        # A mobile password added through A takes ActiveSync away from the account password on B.
        self.b.json("auth", "test", "erin@example.com", "new-pw", "service", "EAS")
        self.a.cli("auth", "credential", "add", "erin@example.com", "password", "erin-mobile")
        deadline = time.time() + 5
        while self.b.cli("auth", "test", "erin@example.com", "new-pw", "service", "EAS", check=False).rc == 0:
            self.assertLess(time.time(), deadline, "node B ignored the new mobile password")
            time.sleep(0.05)
        self.b.json("auth", "test", "erin@example.com", "erin-mobile", "service", "EAS")

    def test_both_nodes_write_one_mailbox_at_once(self):
        self.a.cli("prov", "ca", "frank@example.com", "")

        def add(node, i):
            return node.cli("contacts", "add", "frank@example.com", "firstName", f"C{i}", check=False)

        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            results = list(pool.map(lambda i: add(self.a if i % 2 else self.b, i), range(30)))
        for r in results:
            self.assertEqual(r.rc, 0, r)
        contacts = self.a.json("contacts", "list", "frank@example.com")["contacts"]
        self.assertEqual(sorted(c["fields"]["firstName"] for c in contacts), sorted(f"C{i}" for i in range(30)))
        self.assertEqual(len({c["id"] for c in contacts}), 30)


if __name__ == "__main__":
    unittest.main()
