"""The validated plan, remembered beside it: `.bjtrack-cache/<plan file>.plan.pickle`.

A plan of a thousand targets takes a good part of a second to parse and check, which every
`log` and `status` would pay. A plan file read before, byte for byte the same and by the
same code (bjtrack's version and the stat of every source file the plan's reading depends
on), is unpickled from its memo instead; anything else is parsed again (and a plan with a
problem is never remembered). Like the records index, the memo can make reads faster,
never different: delete it and the answer is the same.

A memo lies in the plan's folder, which may be a cloned repository: a file put there by
another hand must never become code. So each memo is signed with an HMAC-SHA256 whose key
is this user's own (`$XDG_CACHE_HOME/bjtrack/memo.key`, else `~/.cache/bjtrack/memo.key`,
created 0600 in a 0700 folder), and the signature is checked before a byte is unpickled.
A memo that is unsigned, signed with another key, or damaged is ignored and the plan parsed
again; where the key cannot be read or made, nothing is remembered.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import stat
from pathlib import Path

import bjtrack
from bjtrack.domain.model import Plan
from bjtrack.files import paths
from bjtrack.files.plan import load_plan as parse_plan

FORMAT = "bjtrack-plan-memo/3"
MAGIC = b"bjtrack-plan-memo/3\n"
KEY_FILE = "memo.key"
_KEY_BYTES = 32
_SIG_BYTES = hashlib.sha256().digest_size
_PACKAGE = Path(bjtrack.__file__).parent
_CODE = ("domain", "files")  # the folders whose code makes a Plan from the file


def load_plan(path: Path) -> Plan:
    """`files.plan.load_plan`, remembered while the file and the code are unchanged."""
    if not paths.cache_enabled():
        return parse_plan(path)
    try:
        data = path.read_bytes()
    except OSError:
        return parse_plan(path)  # it reports the problem
    secret = user_key()
    if secret is None:  # no key of our own: nothing is remembered, nothing is believed
        return parse_plan(path)
    memo = path.parent / paths.CACHE_DIR / f"{path.name}.plan.pickle"
    chosen = paths.chosen_records()
    key = plan_key(path, data) + ("" if chosen is None else f" records={chosen}")
    remembered = _read(memo, secret, key)
    if remembered is not None and (remembered.records_path == chosen or paths.inside_folder(
            path.parent, remembered.records_path)):
        return remembered  # (a symlink changed since may lead out: then parsed, refused)
    plan = parse_plan(path)  # raises on any problem: nothing is remembered then
    _write(memo, secret, key, plan)
    return plan


def _read(memo: Path, secret: bytes, key: str) -> Plan | None:
    """The plan in a memo signed with this user's key, else None (never unpickled)."""
    try:
        with memo.open("rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    head = len(MAGIC) + _SIG_BYTES
    if len(blob) < head or not blob.startswith(MAGIC):
        return None
    payload = blob[head:]
    if not hmac.compare_digest(blob[len(MAGIC):head], _sign(secret, payload)):
        return None  # not written by this user's bjtrack: never unpickled
    try:  # signed by us: only a memo our own code wrote gets here
        saved_key, plan = pickle.loads(payload)
    except Exception:  # e.g. a class renamed since: parse again
        return None
    return plan if saved_key == key and isinstance(plan, Plan) else None


def _write(memo: Path, secret: bytes, key: str, plan: Plan) -> None:
    temp = memo.with_name(f".{memo.name}.{os.getpid()}.tmp")
    try:
        payload = pickle.dumps((key, plan), protocol=pickle.HIGHEST_PROTOCOL)
        memo.parent.mkdir(exist_ok=True)
        temp.write_bytes(MAGIC + _sign(secret, payload) + payload)
        os.replace(temp, memo)
    except (OSError, pickle.PicklingError):  # a full disk: no memo, and no temp file left
        try:
            temp.unlink(missing_ok=True)
        except OSError:
            pass


def _sign(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()


def key_folder() -> Path:
    """This user's cache folder for bjtrack: `$XDG_CACHE_HOME/bjtrack` or `~/.cache/bjtrack`."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "bjtrack"


def user_key() -> bytes | None:
    """This user's memo key, made on first use (0600); None when it cannot be had safely."""
    try:
        folder = key_folder()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / KEY_FILE
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            return _existing_key(path)
        try:
            os.write(fd, secrets.token_bytes(_KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        return _existing_key(path)
    except (OSError, RuntimeError):  # RuntimeError: no home folder to be found
        return None


def _existing_key(path: Path) -> bytes | None:
    """The key if the file is ours, a regular file, unreadable by others and whole."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        st = os.fstat(fd)
        if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid()
                or st.st_mode & 0o077):
            return None
        secret = os.read(fd, _KEY_BYTES + 1)
    finally:
        os.close(fd)
    return secret if len(secret) == _KEY_BYTES else None


def plan_key(path: Path, data: bytes) -> str:
    """What the validated plan depends on: the file as named, its bytes, and the code."""
    digest = hashlib.sha1(data, usedforsecurity=False)
    digest.update(str(path).encode("utf-8", "surrogateescape"))
    for folder in _CODE:
        for source in sorted((_PACKAGE / folder).glob("*.py")):
            st = source.stat()
            digest.update(f"{source.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    st = Path(__file__).stat()
    digest.update(f"memo:{st.st_size}:{st.st_mtime_ns}".encode())
    return f"{FORMAT}|{bjtrack.__version__}|{digest.hexdigest()}"
