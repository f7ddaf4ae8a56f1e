#!/usr/bin/env python3
"""DOCSight's own backup create, for bench/chunk-reuse.bench.mjs to time side by side with ours.

    python3 bench/docsight-create.py DATA_DIR DEST_DIR

Does what DOCSight's `create_backup_to_file(data_dir, dest_dir)` does (app/modules/backup/backup.py
at itsDNNS/docsight 41d799d, as /work/shared/reference/docsight-backup.md §5.2-5.3 and §2.3 describe
it), with the Python standard library only:

  1. makedirs(dest_dir); mkstemp `.docsight_backup_<local %Y-%m-%d_%H%M%S>.tar.gz.XXXX.tmp` in it
     (mode 0600);
  2. a work dir `.docsight-backup-work-*` inside the data dir; `VACUUM INTO` copies of
     docsis_history.db and connection_monitor.db (each on a connection to the live file with
     busy_timeout 30000 and foreign_keys ON, as DOCSight's `_connect`);
  3. the demo filter on the history copy in a write transaction (`PRAGMA journal_mode=WAL` first, as
     DOCSight's `write_transaction`, which flips the copy to WAL): `DELETE FROM <t> WHERE is_demo = 1`
     for snapshots, events, journal_entries, incidents, speedtest_results, bqm_graphs and
     bnetz_measurements, an error on a table (missing table or column) ignored;
  4. `backup_meta.json` (json.dump, indent 2): magic, format_version 1, UTC timestamp, app_version,
     and `tables` = COUNT(*) of every table of the filtered history copy not starting with `sqlite_`,
     in sqlite_master order;
  5. `tarfile.open(tmp, "w:gz")` (gzip level 9, tarfile's default): the meta first, the DB copies in
     Python set iteration order, then config.json, .config_key, .session_key, .auth_state where present;
  6. os.replace(tmp, final name); the work dir removed (the temp file too on failure).

Prints one JSON line: {"path", "size", "seconds"}.
"""
import datetime
import json
import os
import shutil
import sqlite3
import sys
import tarfile
import tempfile
import time

MAGIC = "docsight-backup"
FORMAT_VERSION = 1
APP_VERSION = "v2026-08-21.1"
DB_FILES = {"docsis_history.db", "connection_monitor.db"}
OTHER_FILES = ["config.json", ".config_key", ".session_key", ".auth_state"]
DEMO_TABLES = ["snapshots", "events", "journal_entries", "incidents", "speedtest_results", "bqm_graphs", "bnetz_measurements"]


def _connect(path):
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _consistent_copy(src, dst):
    conn = _connect(src)
    try:
        conn.execute("VACUUM INTO ?", (dst,))
    finally:
        conn.close()


def _strip_demo(path):
    # DOCSight's write_transaction: journal_mode=WAL asserted, one transaction, committed on success.
    conn = _connect(path)
    conn.isolation_level = None  # explicit BEGIN/COMMIT, as DOCSight's write_transaction
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("BEGIN")
        for table in DEMO_TABLES:
            try:
                conn.execute(f"DELETE FROM {table} WHERE is_demo = 1")
            except sqlite3.OperationalError:
                pass
        conn.execute("COMMIT")
    finally:
        conn.close()


def _table_counts(path):
    conn = _connect(path)
    try:
        names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}
    finally:
        conn.close()


def _write_backup_archive(data_dir, out_path, work_dir):
    work = tempfile.mkdtemp(prefix=".docsight-backup-work-", dir=work_dir)
    try:
        db_files = {name for name in DB_FILES if os.path.isfile(os.path.join(data_dir, name))}
        for name in db_files:
            copy = os.path.join(work, name)
            _consistent_copy(os.path.join(data_dir, name), copy)
            if name == "docsis_history.db":
                _strip_demo(copy)
        tables = _table_counts(os.path.join(work, "docsis_history.db")) if "docsis_history.db" in db_files else {}
        meta = {
            "magic": MAGIC,
            "format_version": FORMAT_VERSION,
            "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "app_version": APP_VERSION,
            "tables": tables,
        }
        meta_path = os.path.join(work, "backup_meta.json")
        with open(meta_path, "w") as f:
            json.dump(meta, f, indent=2)
        with tarfile.open(out_path, "w:gz") as tar:
            tar.add(meta_path, arcname="backup_meta.json")
            for name in db_files:
                tar.add(os.path.join(work, name), arcname=name)
            for name in OTHER_FILES:
                path = os.path.join(data_dir, name)
                if os.path.isfile(path):
                    tar.add(path, arcname=name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def create_backup_to_file(data_dir, dest_dir):
    os.makedirs(dest_dir, exist_ok=True)
    filename = datetime.datetime.now().strftime("docsight_backup_%Y-%m-%d_%H%M%S.tar.gz")
    fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".tmp", dir=dest_dir)
    os.close(fd)
    try:
        _write_backup_archive(data_dir, tmp, work_dir=data_dir)
        final = os.path.join(dest_dir, filename)
        os.replace(tmp, final)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return final


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: docsight-create.py DATA_DIR DEST_DIR")
    started = time.monotonic()
    path = create_backup_to_file(sys.argv[1], sys.argv[2])
    print(json.dumps({"path": path, "size": os.path.getsize(path), "seconds": time.monotonic() - started}))
