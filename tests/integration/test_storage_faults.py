"""Storage faults never lose or invent data (issue 20): a full disk, a damaged WAL, a damaged MANIFEST."""
import glob
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import FLOE_BIN, FloeServer, free_port, make_table


def start_fails(data_dir, *extra):
    r = subprocess.run([FLOE_BIN, "serve", "--listen", f"127.0.0.1:{free_port()}", "--data-dir", data_dir, *extra],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0, "the node started on a damaged database"
    return r.stderr


def snapshot_files(data_dir):
    return {os.path.basename(p): os.path.getsize(p) for p in glob.glob(os.path.join(data_dir, "*"))
            if os.path.isfile(p)}


def write_items(node, table, n, start=0):
    c = node.client()
    for i in range(start, start + n):
        c.put_item(TableName=table, Item={"pk": {"S": f"k{i:05d}"}, "v": {"S": "x" * 50}})


def count_items(node, table):
    c = node.client()
    n, kwargs = 0, {"TableName": table, "ConsistentRead": True}
    while True:
        page = c.scan(**kwargs)
        n += page["Count"]
        if "LastEvaluatedKey" not in page:
            return n
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_damaged_wal_refuses_to_start_and_keeps_every_file(tmp_path):
    data = str(tmp_path / "data")
    s = FloeServer(data_dir=data, env={"FLOE_LOG_LEVEL": "warn"}).start()
    make_table(s.client(), "tbl")
    write_items(s, "tbl", 2000)
    s.kill()  # the items are only in the WAL
    logs = sorted(glob.glob(os.path.join(data, "*.log")), key=os.path.getsize)
    wal = logs[-1]
    size = os.path.getsize(wal)
    with open(wal, "r+b") as f:  # damage a record in the middle
        f.seek(size // 2)
        f.write(b"\xde\xad\xbe\xef" * 4)
    before = snapshot_files(data)
    err = start_fails(data)
    assert "is damaged" in err and "--recover point-in-time" in err, err
    assert snapshot_files(data) == before, "a refused start changed the data directory"
    # Again: still refused, still nothing changed.
    start_fails(data)
    assert snapshot_files(data) == before
    # The explicit way to start anyway keeps the writes before the damage and a copy of the log.
    s2 = FloeServer(data_dir=data, extra_args=["--recover", "point-in-time"], env={"FLOE_LOG_LEVEL": "warn"}).start()
    try:
        n = count_items(s2, "tbl")
        assert 0 < n < 2000, n
        got = s2.client().get_item(TableName="tbl", Key={"pk": {"S": "k00000"}})
        assert "Item" in got
        saved = glob.glob(os.path.join(data, "damaged-*", os.path.basename(wal)))
        assert saved and os.path.getsize(saved[0]) == size
    finally:
        s2.stop()
    # And the recovered database opens normally from then on.
    s3 = FloeServer(data_dir=data, env={"FLOE_LOG_LEVEL": "warn"}).start()
    try:
        assert count_items(s3, "tbl") == n
    finally:
        s3.stop()


def test_torn_wal_tail_after_a_crash_is_tolerated(tmp_path):
    data = str(tmp_path / "data")
    s = FloeServer(data_dir=data, env={"FLOE_LOG_LEVEL": "warn"}).start()
    make_table(s.client(), "tbl")
    write_items(s, "tbl", 300)
    s.kill()
    wal = sorted(glob.glob(os.path.join(data, "*.log")), key=os.path.getsize)[-1]
    with open(wal, "r+b") as f:  # a partly written last record, as a crash mid-write leaves
        f.truncate(os.path.getsize(wal) - 7)
    s2 = FloeServer(data_dir=data, env={"FLOE_LOG_LEVEL": "warn"}).start()
    try:
        assert count_items(s2, "tbl") >= 299
    finally:
        s2.stop()


def test_truncated_manifest_refuses_to_start(tmp_path):
    data = str(tmp_path / "data")
    s = FloeServer(data_dir=data, env={"FLOE_LOG_LEVEL": "warn"}).start()
    make_table(s.client(), "tbl")
    write_items(s, "tbl", 1000)
    s.stop()  # a clean stop flushes the items into table files
    s = FloeServer(data_dir=data, env={"FLOE_LOG_LEVEL": "warn"}).start()
    write_items(s, "tbl", 1000, start=1000)
    s.stop()
    manifest = os.path.join(data, open(os.path.join(data, "CURRENT")).read().strip())
    size = os.path.getsize(manifest)
    with open(manifest, "r+b") as f:
        f.truncate(size // 2)
    before = snapshot_files(data)
    err = start_fails(data)
    assert os.path.basename(manifest) in err and "truncated or damaged" in err and "--recover repair" in err, err
    assert snapshot_files(data) == before
    s2 = FloeServer(data_dir=data, extra_args=["--recover", "repair"], env={"FLOE_LOG_LEVEL": "warn"}).start()
    try:
        assert count_items(s2, "tbl") == 2000
    finally:
        s2.stop()


def test_lost_current_is_not_an_empty_database(tmp_path):
    data = str(tmp_path / "data")
    s = FloeServer(data_dir=data, env={"FLOE_LOG_LEVEL": "warn"}).start()
    make_table(s.client(), "tbl")
    write_items(s, "tbl", 100)
    s.stop()
    os.remove(os.path.join(data, "CURRENT"))
    before = snapshot_files(data)
    for _ in range(2):  # RocksDB would create a new database over it (and empty it the next time)
        err = start_fails(data)
        assert "is damaged" in err or "CURRENT" in err, err
        assert snapshot_files(data) == before


# ---- A full disk ----

def _mount_tmpfs(path, size_mb):
    os.makedirs(path, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", path], capture_output=True, text=True)
    return r.returncode == 0


@pytest.fixture
def small_disk():
    if os.geteuid() != 0:
        pytest.skip("the disk-full test mounts a small tmpfs, which needs root")
    path = tempfile.mkdtemp(prefix="floe-full-")
    if not _mount_tmpfs(path, 240):
        shutil.rmtree(path, ignore_errors=True)
        pytest.skip("cannot mount a tmpfs here (no privilege in this container)")
    yield path
    subprocess.run(["umount", "-l", path])
    shutil.rmtree(path, ignore_errors=True)


def test_disk_full_refuses_writes_keeps_reads_and_resumes(small_disk, tmp_path):
    data = os.path.join(small_disk, "data")
    filler = os.path.join(small_disk, "filler")
    with open(filler, "wb") as f:  # space the test gives back later
        f.write(os.urandom(1 << 20) * 60)
    cfg = tmp_path / "full.json"
    cfg.write_text(json.dumps({"reservedDiskMb": 32}))
    s = FloeServer(data_dir=data, extra_args=["--config", str(cfg)], env={"FLOE_LOG_LEVEL": "warn"}).start()
    try:
        c = s.client()
        make_table(c, "tbl")
        acked = []
        refusals = 0  # in a row
        first_refusal = None
        i = 0
        # Write until the node refuses writes for good. (A refusal can end by itself: when a
        # flush completes, the WAL files it covered are deleted and free space returns.)
        while refusals < 8:
            try:
                c.put_item(TableName="tbl", Item={"pk": {"S": f"k{i:05d}"}, "v": {"B": os.urandom(100_000)}})
                acked.append(i)
                refusals = 0
            except Exception as e:  # ServiceUnavailable, or InternalServerError for a write caught by the fill
                first_refusal = first_refusal or e
                refusals += 1
                time.sleep(0.5)
            i += 1
            assert i < 5000, "the disk never filled"
            assert s.proc.poll() is None, "the node died on a full disk"
        code = first_refusal.response["Error"]["Code"]
        assert code in ("ServiceUnavailableException", "InternalServerError"), code
        assert "is full" in open(s.log_path, errors="replace").read()
        # Reads go on.
        for k in (acked[0], acked[len(acked) // 2], acked[-1]):
            assert c.get_item(TableName="tbl", Key={"pk": {"S": f"k{k:05d}"}})["Item"]["pk"]["S"] == f"k{k:05d}"
        assert c.scan(TableName="tbl", Limit=5)["Count"] == 5
        # A crash, and a restart on the still-full disk: the node starts and serves reads.
        s.kill()
        s = FloeServer(data_dir=data, extra_args=["--config", str(cfg)], env={"FLOE_LOG_LEVEL": "warn"}).start()
        c = s.client()
        assert c.get_item(TableName="tbl", Key={"pk": {"S": f"k{acked[-1]:05d}"}})["Item"]["pk"]["S"] == f"k{acked[-1]:05d}"
        with pytest.raises(Exception):
            c.put_item(TableName="tbl", Item={"pk": {"S": "more"}, "v": {"B": os.urandom(100_000)}})
        read_only = "opened read-only" in open(s.log_path, errors="replace").read()
        # Space returns: writes resume by themselves (after a restart, if the node had to open
        # read-only).
        os.remove(filler)
        if read_only:
            deadline = time.monotonic() + 10
            while "restart floe to accept writes" not in open(s.log_path, errors="replace").read():
                assert time.monotonic() < deadline
                time.sleep(0.2)
            s.stop()
            s = FloeServer(data_dir=data, extra_args=["--config", str(cfg)], env={"FLOE_LOG_LEVEL": "warn"}).start()
            c = s.client()
        deadline = time.monotonic() + 30
        while True:
            try:
                c.put_item(TableName="tbl", Item={"pk": {"S": "after"}})
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        if not read_only:
            assert "writes resume" in open(s.log_path, errors="replace").read()
    finally:
        s.kill()
    # Nothing acknowledged was lost.
    s2 = FloeServer(data_dir=data, extra_args=["--config", str(cfg)], env={"FLOE_LOG_LEVEL": "warn"}).start()
    try:
        c = s2.client()
        for i in acked[:: max(1, len(acked) // 50)] + [acked[-1]]:
            assert "Item" in c.get_item(TableName="tbl", Key={"pk": {"S": f"k{i:05d}"}}), i
        assert "Item" in c.get_item(TableName="tbl", Key={"pk": {"S": "after"}})
    finally:
        s2.stop()
