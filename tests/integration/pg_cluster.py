"""A throwaway PostgreSQL server for integration tests: initdb into a temporary directory and
pg_ctl start on a unix socket there and a free loopback port, as the `postgres` user when the tests
run as root (initdb refuses root). Every wait is bounded. A watchdog process stops the server and
removes the directory when the test process ends, even when it is killed."""
import glob
import os
import pwd
import shlex
import shutil
import subprocess
import tempfile

from harness import free_port


def find_bindir():
    """$SB_PG_BINDIR, else Debian's /usr/lib/postgresql/<newest>/bin, else $PATH; None if absent."""
    def complete(d):
        return all(os.access(os.path.join(d, t), os.X_OK) for t in ("initdb", "pg_ctl", "psql"))
    env = os.environ.get("SB_PG_BINDIR")
    if env:
        return env if complete(env) else None
    found = [d for d in glob.glob("/usr/lib/postgresql/*/bin") if complete(d)]
    if found:
        return max(found, key=lambda d: int(d.split("/")[-2]) if d.split("/")[-2].isdigit() else 0)
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb and complete(os.path.dirname(initdb)) else None


MISSING = ("PostgreSQL server binaries (initdb, pg_ctl, psql) not found in /usr/lib/postgresql/*/bin, "
           "$SB_PG_BINDIR or $PATH; install the Debian package postgresql (scripts/setup.sh does)")


class PgCluster:
    def __init__(self, bindir):
        self.bin = bindir
        self.as_root = os.geteuid() == 0
        self.dir = tempfile.mkdtemp(prefix="sbpg-")
        self.port = None
        self.watchdog = None
        self.next_db = 0
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def _server_cmd(self, argv):
        return (["runuser", "-u", "postgres", "--"] + argv) if self.as_root else argv

    def _run(self, argv, timeout):
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}):\n{p.stdout}{p.stderr}\n"
                               f"server log:\n{self.log_tail()}")
        return p.stdout

    def log_tail(self):
        try:
            with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return "(no log)"

    def start(self):
        self._run(self._server_cmd([f"{self.bin}/initdb", "-D", f"{self.dir}/data", "-U", "postgres",
                                    "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]), 120)
        for attempt in range(3):
            self.port = free_port()
            opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
            try:
                self._run(self._server_cmd([f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-l",
                                            f"{self.dir}/server.log", "-w", "-t", "60", "-o", opts, "start"]), 90)
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        stop = (f"{shlex.quote(self.bin)}/pg_ctl -D {shlex.quote(self.dir + '/data')} -m immediate -w -t 30 "
                "stop >/dev/null 2>&1")
        if self.as_root:
            stop = "runuser -u postgres -- " + stop
        self.watchdog = subprocess.Popen(["/bin/sh", "-c", f"read x; {stop}; rm -rf {shlex.quote(self.dir)}"],
                                         stdin=subprocess.PIPE, start_new_session=True)
        return self

    def stop(self):
        """Stops the server and removes its directory (the watchdog does it)."""
        if self.watchdog:
            self.watchdog.stdin.close()
            self.watchdog.wait(60)
            self.watchdog = None

    def url(self, dbname, tcp=False):
        host = "127.0.0.1" if tcp else self.dir
        return f"host={host} port={self.port} dbname={dbname} user=postgres"

    def psql(self, dbname, sql):
        return self._run([f"{self.bin}/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.dir,
                          "-p", str(self.port), "-U", "postgres", "-d", dbname, "-c", sql], 60)

    def create_database(self, owner=None):
        self.next_db += 1
        name = f"sbit_{os.getpid()}_{self.next_db}"
        self.psql("postgres", f"CREATE DATABASE {name}" + (f" OWNER {owner}" if owner else ""))
        return name
