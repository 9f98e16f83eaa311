"""An embedded PostgreSQL 16 for demo machines that have none, from the optional `pgserver` package.

    python -m mitra.embedded_db start  --data-dir DIR [--port 54329] [--dbname mitra]
    python -m mitra.embedded_db status --data-dir DIR
    python -m mitra.embedded_db stop   --data-dir DIR

`start` creates the cluster in DIR on first use, starts the server in the background (it keeps running after
the command exits), creates the database and prints one line on stdout: the DATABASE_URL to use, e.g.
`postgres://postgres@127.0.0.1:54329/mitra`. Starting a running server changes nothing and prints the same URL.
`status` prints the URL and exits 0 if the server runs, else exits 3. `stop` is a no-op when nothing runs.

The server listens on TCP 127.0.0.1 only (no unix socket), with `trust` authentication: any local user may
connect as the superuser `postgres`. That is fine for a demo on one's own machine, never for production.
Its log is DIR/postgresql.log.

PostgreSQL refuses to run as root. Run as root, this module runs the server as the unprivileged system user
`pgserver` (created with useradd if missing; the name the `pgserver` package itself uses), gives DIR to it,
and lets it traverse DIR's parent folders (adds the others-search bit where missing).

We use only the PostgreSQL binaries that the `pgserver` wheel ships, not its Python API: that API starts the
server on a unix socket only and stops it when the Python process that started it exits.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import importlib.util
import os
import pwd
import shlex
import socket
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 54329
DEFAULT_DBNAME = "mitra"
HOST = "127.0.0.1"
SUPERUSER = "postgres"
SERVICE_USER = "pgserver"  # the OS user that runs the server when we are root, same as the pgserver package's
LOG_NAME = "postgresql.log"
PORT_ENV = "MITRA_EMBEDDED_PG_PORT"
INSTALL_HINT = "pip install -e '.[embedded]'"
START_TIMEOUT = 60  # seconds, for initdb and for pg_ctl start/stop each


class EmbeddedDbError(RuntimeError):
    """A failure to report to the user as one message, without a traceback."""


@dataclass(frozen=True)
class _Account:
    uid: int
    gid: int
    name: str


@dataclass(frozen=True)
class _Postmaster:
    pid: int
    port: int
    listen: str


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _warn(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def database_url(port: int, dbname: str = DEFAULT_DBNAME) -> str:
    return f"postgres://{SUPERUSER}@{HOST}:{port}/{dbname}"


def _bin_dir() -> Path:
    """The PostgreSQL binaries in the pgserver wheel, located without importing pgserver (whose import has
    side effects: a lock file under $XDG_RUNTIME_DIR and a warning when that is unset)."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedDbError(f"The embedded PostgreSQL needs the optional `pgserver` package: {INSTALL_HINT}")
    bin_dir = Path(next(iter(spec.submodule_search_locations))).resolve() / "pginstall" / "bin"
    if not (bin_dir / "postgres").is_file():
        raise EmbeddedDbError(f"The installed pgserver package has no PostgreSQL binaries in {bin_dir}")
    return bin_dir


def _account(data_dir: Path) -> _Account | None:
    """Who runs the server: None for ourselves, else the unprivileged account to switch to (we are root)."""
    if os.geteuid() != 0:
        return None
    info = data_dir.stat()
    if (data_dir / "PG_VERSION").exists() and info.st_uid != 0:  # an existing cluster keeps its owner
        try:
            name = pwd.getpwuid(info.st_uid).pw_name
        except KeyError:
            name = str(info.st_uid)
        return _Account(uid=info.st_uid, gid=info.st_gid, name=name)
    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        cmd = ["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin"]
        try:
            subprocess.run([*cmd, SERVICE_USER], check=True, capture_output=True, text=True, timeout=30)  # noqa: S603
        except (OSError, subprocess.SubprocessError) as exc:
            detail = getattr(exc, "stderr", "") or exc
            raise EmbeddedDbError(
                f"PostgreSQL cannot run as root and creating the user {SERVICE_USER!r} failed: {detail}"
            ) from exc
        entry = pwd.getpwnam(SERVICE_USER)
    return _Account(uid=entry.pw_uid, gid=entry.pw_gid, name=entry.pw_name)


def _let_account_in(data_dir: Path, bin_dir: Path, account: _Account) -> None:
    """As root: give the account the data folder and a way through the folders above it and the binaries."""
    if data_dir.stat().st_uid != account.uid:
        for root, dirs, files in os.walk(data_dir):
            for name in [root, *(Path(root) / d for d in dirs), *(Path(root) / f for f in files)]:
                os.chown(name, account.uid, account.gid, follow_symlinks=False)
    data_dir.chmod(0o700)
    install = bin_dir.parent
    for folder in {*data_dir.parents, *install.parents}:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            _warn(f"embedded_db: letting {account.name} traverse {folder} (o+x)")
            folder.chmod(mode | stat.S_IXOTH)
    probes = [install, install / "bin", install / "lib", install / "share", bin_dir / "postgres", bin_dir / "pg_ctl"]
    if all(path.stat().st_mode & stat.S_IROTH and path.stat().st_mode & stat.S_IXOTH for path in probes):
        return
    for root, dirs, files in os.walk(install):  # pip under a strict umask may leave these unreadable
        for name in [Path(root), *(Path(root) / d for d in dirs)]:
            mode = name.stat().st_mode
            if mode & (stat.S_IROTH | stat.S_IXOTH) != (stat.S_IROTH | stat.S_IXOTH):
                name.chmod(mode | stat.S_IROTH | stat.S_IXOTH)
        for filename in files:
            path = Path(root) / filename
            mode = path.lstat().st_mode
            wanted = stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0)
            if stat.S_ISREG(mode) and mode & wanted != wanted:
                path.chmod(mode | wanted)


def _run(
    bin_dir: Path, program: str, args: list[str], account: _Account | None, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL program as the account, output to files (the postmaster must not inherit our pipes)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_MESSAGES"] = "C"
    user_kwargs = {} if account is None else {"user": account.uid, "group": account.gid, "extra_groups": []}
    with tempfile.TemporaryFile("w+") as out:
        try:
            proc = subprocess.run(  # noqa: S603 - fixed program from the pgserver wheel, list arguments
                [str(bin_dir / program), *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                env=env,
                cwd="/",
                timeout=timeout,
                check=False,
                **user_kwargs,
            )
        except subprocess.TimeoutExpired as exc:
            raise EmbeddedDbError(f"{program} did not finish within {timeout:.0f}s") from exc
        out.seek(0)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out.read(), "")


def _log_tail(data_dir: Path, lines: int = 20) -> str:
    try:
        text = (data_dir / LOG_NAME).read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _postmaster(data_dir: Path) -> _Postmaster | None:
    """The live server of this data folder, from its postmaster.pid; None if none runs."""
    pid_file = data_dir / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid, started, port = int(lines[0]), int(lines[2]), int(lines[3])
        listen = lines[5].strip() if len(lines) > 5 else ""
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # stale file from a crash: PostgreSQL itself removes it on the next start
    except PermissionError:
        pass
    if not _is_postmaster(pid, started):
        # A dead (zombie) postmaster, or its PID reused by another process (e.g. after a reboot): either way
        # PostgreSQL would refuse to start while the file names a live PID.
        _warn(f"embedded_db: removing stale {pid_file} (PID {pid} is no live server)")
        pid_file.unlink(missing_ok=True)
        return None
    return _Postmaster(pid=pid, port=port, listen=listen)


def _is_postmaster(pid: int, started: int) -> bool:
    """Whether pid is a live postgres process that started when postmaster.pid says the server started."""
    try:
        import psutil  # a dependency of pgserver
    except ImportError:
        return True  # cannot tell; trust the PID
    try:
        process = psutil.Process(pid)
        name, created, state = process.name(), process.create_time(), process.status()
    except psutil.Error:
        return True  # gone or not ours to inspect: let PostgreSQL judge
    return name.startswith("postgres") and abs(created - started) < 30 and state != psutil.STATUS_ZOMBIE


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


@contextlib.contextmanager
def _locked(data_dir: Path, timeout: float = 2 * START_TIMEOUT + 30):
    """One start/stop at a time per data folder (flock on the folder itself, bounded wait)."""
    fd = os.open(data_dir, os.O_RDONLY)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise EmbeddedDbError(f"another start/stop holds {data_dir} for over {timeout:.0f}s") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


def _resolve(data_dir: Path | str) -> Path:
    return Path(data_dir).expanduser().resolve()


def start(data_dir: Path | str, port: int = DEFAULT_PORT, dbname: str = DEFAULT_DBNAME) -> str:
    """Start (or find running) the server of data_dir, ensure the database exists, return its DATABASE_URL."""
    bin_dir = _bin_dir()
    data_dir = _resolve(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    with _locked(data_dir):
        fresh = not (data_dir / "PG_VERSION").exists()
        if fresh and any(data_dir.iterdir()):  # checked before anything is chowned
            raise EmbeddedDbError(f"{data_dir} is neither empty nor a PostgreSQL data folder")
        account = _account(data_dir)
        if account is not None:
            _let_account_in(data_dir, bin_dir, account)

        if fresh:
            init_args = ["-D", str(data_dir), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--locale=C"]
            result = _run(bin_dir, "initdb", init_args, account, timeout=START_TIMEOUT)
            if result.returncode != 0:
                raise EmbeddedDbError(f"initdb failed:\n{result.stdout}")

        running = _postmaster(data_dir)
        if running is None:
            if not _port_is_free(port):
                raise EmbeddedDbError(
                    f"port {port} on {HOST} is taken by another program: pass --port or set {PORT_ENV}"
                )
            options = shlex.join(["-c", f"listen_addresses={HOST}", "-p", str(port), "-c", "unix_socket_directories="])
            args = ["-D", str(data_dir), "-l", str(data_dir / LOG_NAME), "-w", "-t", str(START_TIMEOUT)]
            result = _run(bin_dir, "pg_ctl", [*args, "-o", options, "start"], account, timeout=START_TIMEOUT + 15)
            running = _postmaster(data_dir)
            if result.returncode != 0 or running is None:
                raise EmbeddedDbError(
                    f"PostgreSQL did not start:\n{result.stdout}\n--- {data_dir / LOG_NAME} ---\n{_log_tail(data_dir)}"
                )
        elif HOST not in running.listen.split(","):
            raise EmbeddedDbError(
                f"a server already runs on {data_dir} (PID {running.pid}) but does not listen on {HOST}; "
                f"stop it first: python -m mitra.embedded_db stop --data-dir {data_dir}"
            )
        elif running.port != port:
            _warn(f"embedded_db: already running on port {running.port} (not {port})")

    _ensure_database(running.port, dbname)
    return database_url(running.port, dbname)


def _ensure_database(port: int, dbname: str) -> None:
    from mitra.database import ensure_database

    deadline = time.monotonic() + 15
    while True:  # "ready" can precede accepting connections by a moment
        try:
            ensure_database({"HOST": HOST, "PORT": port, "USER": SUPERUSER, "NAME": dbname})
            return
        except Exception as exc:  # psycopg2.OperationalError
            if time.monotonic() > deadline:
                raise EmbeddedDbError(f"cannot create database {dbname!r} on {HOST}:{port}: {exc}") from exc
            time.sleep(0.2)


def status(data_dir: Path | str, dbname: str = DEFAULT_DBNAME) -> str | None:
    """The DATABASE_URL of the running server of data_dir, or None if it does not run."""
    running = _postmaster(_resolve(data_dir))
    return None if running is None else database_url(running.port, dbname)


def stop(data_dir: Path | str) -> bool:
    """Stop the server of data_dir; False if it was not running."""
    data_dir = _resolve(data_dir)
    if not (data_dir / "PG_VERSION").exists() or _postmaster(data_dir) is None:
        return False
    bin_dir = _bin_dir()
    with _locked(data_dir):
        account = _account(data_dir)
        for mode in ("fast", "immediate"):
            args = ["-D", str(data_dir), "-m", mode, "-w", "-t", str(START_TIMEOUT), "stop"]
            result = _run(bin_dir, "pg_ctl", args, account, timeout=START_TIMEOUT + 15)
            if _postmaster(data_dir) is None:
                return True
        raise EmbeddedDbError(f"PostgreSQL did not stop:\n{result.stdout}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mitra.embedded_db", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (
        ("start", "start the server if needed and print its DATABASE_URL"),
        ("status", "print the DATABASE_URL if the server runs (exit 0), else exit 3"),
        ("stop", "stop the server if it runs"),
    ):
        command = commands.add_parser(name, help=helptext)
        command.add_argument("--data-dir", required=True, type=Path, help="the server's data folder")
        if name != "stop":
            command.add_argument("--dbname", default=DEFAULT_DBNAME, help=f"database name (default {DEFAULT_DBNAME})")
        if name == "start":
            default_port = int(os.environ.get(PORT_ENV) or DEFAULT_PORT)
            command.add_argument(
                "--port",
                type=int,
                default=default_port,
                help=f"TCP port on {HOST} (default ${PORT_ENV} or {DEFAULT_PORT})",
            )
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            _emit(start(args.data_dir, port=args.port, dbname=args.dbname))
        elif args.command == "status":
            url = status(args.data_dir, dbname=args.dbname)
            if url is None:
                _warn(f"embedded_db: no server runs on {args.data_dir}")
                return 3
            _emit(url)
        elif not stop(args.data_dir):
            _warn(f"embedded_db: no server was running on {args.data_dir}")
    except EmbeddedDbError as exc:
        _warn(f"embedded_db: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
