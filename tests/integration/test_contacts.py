"""Contacts through the CLI: folders with the Zimbra ids, contact add/modify/delete/get, and the
vCard round trip (3.0 and 4.0) with all-or-nothing import."""
import json
import os
import re
import unittest

from harness import ServerTestCase

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
SYSTEM_FOLDERS = {2: "/Inbox", 3: "/Trash", 4: "/Junk", 5: "/Sent", 6: "/Drafts", 7: "/Contacts", 10: "/Calendar",
                  13: "/Emailed Contacts", 15: "/Tasks"}

MARIA = {
    "firstName": "Maria", "middleName": "Luisa", "lastName": "Rossi", "namePrefix": "Dr.", "nameSuffix": "PhD",
    "fullName": "Dr. Maria Luisa Rossi PhD", "nickname": "Mari",
    "company": "Acme S.p.A.", "department": "Research, Europe", "jobTitle": "Head of R&D",
    "email": "maria.rossi@acme.example", "email2": "maria@home.example", "email3": "m.rossi@other.example",
    "workPhone": "+39 02 1234567", "homePhone": "+39 02 7654321", "mobilePhone": "+39 333 1234567",
    "workFax": "+39 02 1234568", "pager": "+39 02 9999999",
    "workStreet": "Building 4\nVia Roma 1, Floor 3", "workCity": "Milano", "workState": "MI",
    "workPostalCode": "20121", "workCountry": "Italy",
    "homeStreet": "Via Verdi 22", "homeCity": "Monza", "homeState": "MB", "homePostalCode": "20900",
    "homeCountry": "Italy",
    "notes": "Met at the Milan conference in 2023. Prefers e-mail to phone calls; speaks Italian, English and "
             "German.\nSecond line of the note.",
    "birthday": "1980-02-29", "workURL": "https://acme.example/people/maria", "categories": "Customers,VIP",
    "vcardUID": "5f0c1a2e-1111-4c4c-9b9b-000000000001",
}
JUERGEN = {
    "firstName": "Jürgen", "lastName": "Weiß", "fullName": "Jürgen Weiß", "company": "Parts GmbH",
    "department": "Sales", "jobTitle": "Key Account Manager",
    "email": "j.weiss@parts.example", "email2": "juergen@weiss.example",
    "workPhone": "+49-30-1234567", "mobilePhone": "+49-170-1234567", "homePhone": "+49-30-7654321",
    "workStreet": "Hauptstraße 5", "workCity": "Berlin", "workPostalCode": "10115", "workCountry": "Germany",
    "homeStreet": "Lindenweg 9", "homeCity": "Potsdam", "homeState": "BB", "homePostalCode": "14467",
    "homeCountry": "Germany", "birthday": "--04-12", "notes": "Ruft gern früh an.",
    "vcardUID": "urn:uuid:5f0c1a2e-2222-4c4c-9b9b-000000000002",
}
ANNA = {
    "firstName": "Anna", "lastName": "Müller", "fullName": "Anna Müller", "email": "anna.mueller@mail.example",
    "mobilePhone": "+41 79 123 45 67", "homePhone": "+41 44 123 45 67",
    "notes": "Erste Zeile\nZweite Zeile mit ä und einem sehr langen Ende",
}
DESK = {
    "fullName": "EMEA Distributors Desk", "company": "Distributors SA", "email": "emea@distributors.example",
    "workPhone": "+33 1 23 45 67 89", "workStreet": "12 rue de la Paix", "workCity": "Paris",
    "workPostalCode": "75002", "workCountry": "France",
}
FIXTURE_CARDS = [MARIA, JUERGEN, ANNA, DESK]


def canon(field_sets):
    """Order-independent form of a list of field maps."""
    return sorted(json.dumps(f, sort_keys=True, ensure_ascii=False) for f in field_sets)


class ContactsTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.cli("prov", "cd", "example.com")
        for a in ("owner", "copy3", "copy4", "crud", "folders", "bad"):
            cls.server.cli("prov", "ca", f"{a}@example.com", "")

    def fields(self, account, folder=None):
        extra = ["folder", folder] if folder else []
        return [c["fields"] for c in self.json("contacts", "list", account, *extra)["contacts"]]

    def folders(self, account):
        return {f["path"]: f for f in self.json("contacts", "listFolders", account)["folders"]}

    def contact_count(self, account):
        return len(self.json("contacts", "list", account)["contacts"])

    def test_system_folders(self):
        folders = self.json("contacts", "listFolders", "folders@example.com")["folders"]
        self.assertEqual({f["id"]: f["path"] for f in folders if f["id"] in SYSTEM_FOLDERS}, SYSTEM_FOLDERS)
        views = {f["path"]: f["view"] for f in folders}
        self.assertEqual((views["/Contacts"], views["/Emailed Contacts"], views["/Inbox"], views["/Calendar"],
                          views["/Tasks"]), ("contact", "contact", "message", "appointment", "task"))

    def test_vcard_round_trip(self):
        vcf = os.path.join(DATA, "contacts.vcf")
        r = self.json("contacts", "import", "owner@example.com", vcf)
        self.assertEqual((r["imported"], r["folder"]), (4, "/Contacts"))
        self.assertEqual(canon(self.fields("owner@example.com", "/Contacts")), canon(FIXTURE_CARDS))

        # The same file into a user folder.
        f = self.json("contacts", "createFolder", "owner@example.com", "/Contacts/Suppliers")
        self.assertGreaterEqual(f["id"], 257)
        self.assertEqual((f["path"], f["parent"], f["view"]), ("/Contacts/Suppliers", 7, "contact"))
        self.assertIn("imported 4 contacts into /Contacts/Suppliers",
                      self.cli("contacts", "import", "owner@example.com", vcf, "folder", "Contacts/Suppliers").out)
        self.assertEqual(canon(self.fields("owner@example.com", str(f["id"]))), canon(FIXTURE_CARDS))
        self.assertEqual(self.folders("owner@example.com")["/Contacts/Suppliers"]["contacts"], 4)
        self.assertEqual(self.folders("owner@example.com")["/Contacts"]["contacts"], 4)

        # get shows one contact with every field, in text and JSON.
        maria = next(c for c in self.json("contacts", "list", "owner@example.com", "folder", "/Contacts")["contacts"]
                     if c["fields"].get("lastName") == "Rossi")
        got = self.json("contacts", "get", "owner@example.com", maria["id"])
        self.assertEqual((got["id"], got["folder"], got["fields"]), (maria["id"], 7, MARIA))
        text = self.cli("contacts", "get", "owner@example.com", maria["id"]).out
        self.assertRegex(text, r"(?m)^\s*email3\s+m\.rossi@other\.example$")
        self.assertRegex(text, r"(?m)^\s*jobTitle\s+Head of R&D$")
        self.assertIn("Dr. Maria Luisa Rossi PhD <maria.rossi@acme.example>",
                      self.cli("contacts", "list", "owner@example.com").out)

        # Export as 3.0 and 4.0, import into other accounts: the same fields come back.
        for version, target in (("3.0", "copy3@example.com"), ("4.0", "copy4@example.com")):
            with self.subTest(version=version):
                exported = self.cli("contacts", "export", "owner@example.com", "folder", "/Contacts",
                                    "version", version).out
                self.assertEqual(exported.count("BEGIN:VCARD"), 4)
                j = self.json("contacts", "export", "owner@example.com", "folder", "/Contacts", "version", version)
                # (the text output went through Python's newline translation; the JSON keeps CRLF)
                self.assertEqual((j["count"], j["vcard"].replace("\r\n", "\n")), (4, exported))
                self.assertIn(f"\r\nVERSION:{version}\r\n", j["vcard"])
                self.assertNotIn("\n", j["vcard"].replace("\r\n", ""), "CRLF line ends only")
                self.assertTrue(all(len(line.encode()) <= 75 for line in exported.split("\n")),
                                "lines are folded at 75 octets")
                path = self.server.write_file(f"export-{version}.vcf", j["vcard"])
                self.assertEqual(self.json("contacts", "import", target, path)["imported"], 4)
                self.assertEqual(canon(self.fields(target)), canon(FIXTURE_CARDS))
        # Without a folder, export covers every folder.
        self.assertEqual(self.json("contacts", "export", "owner@example.com")["count"], 8)
        self.assertFails("contacts", "export", "owner@example.com", "version", "2.1", contains="version")

    def test_malformed_vcard_imports_nothing(self):
        with open(os.path.join(DATA, "contacts.vcf"), encoding="utf-8", newline="") as f:
            good = f.read()
        self.cli("contacts", "add", "bad@example.com", "firstName", "Kept", "email", "kept@example.com")
        lines_before = good.count("\n")
        cases = {
            "bad-base64": ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Broken\r\nNOTE;ENCODING=b:%%%%\r\nEND:VCARD\r\n", 4, "base64"),
            "no-colon": ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Broken\r\nthis line has no colon\r\nEND:VCARD\r\n", 4, ""),
            "no-end": ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Broken\r\n", 3, f"started at line {lines_before + 1}"),
            "bad-version": ("BEGIN:VCARD\r\nVERSION:5.0\r\nFN:Broken\r\nEND:VCARD\r\n", 2, "5.0"),
            "bad-utf8": ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bro\udcffken\r\nEND:VCARD\r\n", 3, "UTF-8"),
        }
        state = lambda: (self.json("contacts", "list", "bad@example.com"), self.folders("bad@example.com"))
        for name, (tail, line_in_tail, contains) in cases.items():
            with self.subTest(case=name):
                path = os.path.join(self.server.root, name + ".vcf")
                with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
                    f.write(good + tail)
                r = self.assertFailsUnchanged("contacts", "import", "bad@example.com", path, contains=contains,
                                              state=state)
                m = re.search(r"line (\d+)", r.err)
                self.assertTrue(m, r.err)
                self.assertEqual(int(m.group(1)), lines_before + line_in_tail, r.err)
                self.assertIn("nothing was imported", r.err)
        self.assertEqual(self.contact_count("bad@example.com"), 1)
        self.assertFailsUnchanged("contacts", "import", "bad@example.com", self.server.write_file("empty.vcf", ""),
                                  contains="no vCard found", state=state)
        self.assertFails("contacts", "import", "bad@example.com", os.path.join(self.server.root, "missing.vcf"),
                         contains="missing.vcf")
        self.assertFailsUnchanged("contacts", "import", "bad@example.com", os.path.join(DATA, "contacts.vcf"),
                                  "folder", "/Nope", state=state)
        self.assertFailsUnchanged("contacts", "import", "ghost@example.com", os.path.join(DATA, "contacts.vcf"),
                                  contains="no such account", state=state)

    def test_add_modify_delete_get(self):
        a = "crud@example.com"
        c = self.json("contacts", "add", a, "firstName", "Paolo", "lastName", "Neri", "email", "paolo@neri.example",
                      "mobilePhone", "+39 320 0000000", "company", "Neri Srl")
        self.assertEqual(c["folder"], 7)
        self.assertEqual(c["fields"], {"firstName": "Paolo", "lastName": "Neri", "email": "paolo@neri.example",
                                       "mobilePhone": "+39 320 0000000", "company": "Neri Srl"})
        modseq = c["modseq"]
        m = self.json("contacts", "modify", a, c["id"], "jobTitle", "CEO", "company", "", "email2", "p@x.example")
        self.assertGreater(m["modseq"], modseq)
        self.assertEqual(self.json("contacts", "get", a, c["id"])["fields"],
                         {"firstName": "Paolo", "lastName": "Neri", "email": "paolo@neri.example",
                          "email2": "p@x.example", "mobilePhone": "+39 320 0000000", "jobTitle": "CEO"})
        state = lambda: self.json("contacts", "list", a)
        self.assertFailsUnchanged("contacts", "modify", a, c["id"], "shoeSize", "44", contains="unknown contact field",
                                  state=state)
        self.assertFailsUnchanged("contacts", "add", a, "firstName", "X", "shoeSize", "44",
                                  contains="unknown contact field", state=state)
        self.assertFailsUnchanged("contacts", "add", a, "firstName", "X", "folder", "/Nope", state=state)
        self.assertFailsUnchanged("contacts", "add", a, "firstName", "X", "lastName", contains="needs a value",
                                  state=state)
        self.assertFailsUnchanged("contacts", "modify", a, "99999", "firstName", "X", state=state)
        self.assertFailsUnchanged("contacts", "get", a, "abc", contains="not a contact id", state=state)
        # Into a folder given by path.
        self.cli("contacts", "createFolder", a, "/Contacts/Team")
        t = self.json("contacts", "add", a, "fullName", "Team Desk", "folder", "/Contacts/Team")
        self.assertEqual(self.folders(a)["/Contacts/Team"]["id"], t["folder"])
        self.cli("contacts", "delete", a, c["id"])
        self.assertFails("contacts", "get", a, c["id"])
        self.assertFails("contacts", "delete", a, c["id"])
        self.assertEqual([x["id"] for x in self.json("contacts", "list", a)["contacts"]], [t["id"]])

    def test_folders(self):
        a = "folders@example.com"
        sup = self.json("contacts", "createFolder", a, "/Contacts/Suppliers")
        ita = self.json("contacts", "createFolder", a, "/Contacts/Suppliers/Italy")
        self.assertEqual((ita["parent"], ita["path"]), (sup["id"], "/Contacts/Suppliers/Italy"))
        top = self.json("contacts", "createFolder", a, "/Projects")  # a top-level user folder
        self.assertEqual(top["parent"], 1)
        state = lambda: self.folders(a)
        self.assertFailsUnchanged("contacts", "createFolder", a, "/Contacts/Suppliers", state=state)
        self.assertFailsUnchanged("contacts", "createFolder", a, "/Contacts/Missing/Child", state=state)
        self.assertFailsUnchanged("contacts", "createFolder", a, "/Contacts/X", "view", "nonsense", state=state)
        self.assertFailsUnchanged("contacts", "deleteFolder", a, "/Contacts", contains="cannot be deleted", state=state)
        self.assertFailsUnchanged("contacts", "renameFolder", a, "/Inbox", "Mail", state=state)

        self.cli("contacts", "add", a, "fullName", "Supplier One", "folder", "/Contacts/Suppliers")
        self.cli("contacts", "add", a, "fullName", "Fornitore Uno", "folder", "/Contacts/Suppliers/Italy")
        self.cli("contacts", "add", a, "fullName", "Stays", "folder", "/Contacts")
        self.assertEqual(self.folders(a)["/Contacts/Suppliers/Italy"]["contacts"], 1)

        r = self.json("contacts", "renameFolder", a, "/Contacts/Suppliers", "Vendors")
        self.assertEqual((r["id"], r["path"]), (sup["id"], "/Contacts/Vendors"))
        paths = self.folders(a)
        self.assertIn("/Contacts/Vendors/Italy", paths)
        self.assertNotIn("/Contacts/Suppliers", paths)
        self.assertEqual([c["fullName"] for c in self.fields(a, "/Contacts/Vendors/Italy")], ["Fornitore Uno"])

        self.cli("contacts", "deleteFolder", a, str(sup["id"]))
        paths = self.folders(a)
        self.assertFalse([p for p in paths if p.startswith("/Contacts/Vendors")], paths)
        self.assertEqual([c["fullName"] for c in self.fields(a)], ["Stays"])
        self.assertFails("contacts", "list", a, "folder", "/Contacts/Vendors")
        self.cli("contacts", "deleteFolder", a, "/Projects")
        self.assertEqual(set(self.folders(a)), set(SYSTEM_FOLDERS.values()))


if __name__ == "__main__":
    unittest.main()
