"""The DuckDB baseline of the engine benchmark (tests/benches/engine.rs runs it; tests/bench.sh
installs DuckDB from PyPI into the tool cache).

Reads a JSON spec (the path is the only argument): the benchmark's SQLite file, the tables to
load into a DuckDB database (each from the raw events of one workspace and type, one typed
column per data field, plus `occurred_at` in Unix microseconds and, when the table asks for it
with `"event_id": true`, the event's id: what breaks ties between records of one instant), SQL
statements to run once after loading (`"setup"`, such as a table derived from the others), and
the queries to time there. Prints a JSON report: per table the rows loaded and the load time,
the setup's time, per query the runs, p50 and p99 in milliseconds (each run is one execute and
fetch from Python, which adds a few microseconds), and the last run's rows with every value as
text (decimals stay exact).

The database is a file, as a user keeps DuckDB, rather than in memory: DuckDB compresses stored
tables and aggregates over their compressed columns, which made the benchmark's queries several
times faster than over an in-memory table. Rows are stored in arrival order (by `occurred_at`),
as an append-only table of events would be, so that a time filter skips what is older.

A view that needs several queries (a page of many numbers) is a query set: each run executes
and fetches every query of the set in turn, and is timed as one; the report has the set's runs,
p50 and p99, and each query's rows under its name.

A new view's baseline is a table (if it reads another event type) and a query or a query set in
the spec.
"""

import csv
import json
import os
import sqlite3
import sys
import tempfile
import time

import duckdb


def load_table(con, db, table, folder):
    """Copies one workspace's events of one type from SQLite into a DuckDB table, through CSV."""
    started = time.perf_counter()
    names = [name for name, _ in table["columns"]]
    with_id = table.get("event_id", False)
    path = os.path.join(folder, table["name"] + ".csv")
    rows = 0
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["occurred_at", *(["event_id"] if with_id else []), *names])
        query = "SELECT occurred_at, id, body FROM events WHERE ws = ? AND type = ?"
        for occurred_at, event_id, body in db.execute(query, (table["ws"], table["type"])):
            data = json.loads(body)["data"]
            # Numbers in their shortest decimal form, which a DECIMAL column reads exactly.
            values = ("" if data.get(name) is None else data[name] for name in names)
            writer.writerow([occurred_at, *([event_id] if with_id else []), *values])
            rows += 1
    columns = {"occurred_at": "BIGINT", **({"event_id": "VARCHAR"} if with_id else {}), **dict(table["columns"])}
    order = "occurred_at, event_id" if with_id else "occurred_at"
    con.execute(f"CREATE TABLE {table['name']} AS SELECT * FROM read_csv(?, header = true, columns = ?) ORDER BY {order}",
                [path, columns])
    return {"rows": rows, "load_s": round(time.perf_counter() - started, 1)}


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[round((len(ordered) - 1) * p)]


def as_text(rows):
    return [[None if value is None else str(value) for value in row] for row in rows]


def time_query(con, query):
    samples, rows = [], []
    for _ in range(query["runs"]):
        started = time.perf_counter()
        rows = con.execute(query["sql"], query["params"]).fetchall()
        samples.append((time.perf_counter() - started) * 1000.0)
    return {
        "runs": len(samples),
        "p50_ms": percentile(samples, 0.5),
        "p99_ms": percentile(samples, 0.99),
        "rows": as_text(rows),
    }


def time_query_set(con, query_set):
    """Each run executes and fetches every query of the set, one after the other."""
    samples, rows = [], {}
    for _ in range(query_set["runs"]):
        started = time.perf_counter()
        rows = {query["name"]: con.execute(query["sql"], query["params"]).fetchall() for query in query_set["queries"]}
        samples.append((time.perf_counter() - started) * 1000.0)
    return {
        "runs": len(samples),
        "p50_ms": percentile(samples, 0.5),
        "p99_ms": percentile(samples, 0.99),
        "rows": {name: as_text(result) for name, result in rows.items()},
    }


def main():
    with open(sys.argv[1]) as spec_file:
        spec = json.load(spec_file)
    db = sqlite3.connect(f"file:{spec['sqlite']}?mode=ro", uri=True)
    report = {"duckdb_version": duckdb.__version__, "tables": {}, "queries": {}, "sets": {}}
    with tempfile.TemporaryDirectory() as folder:
        con = duckdb.connect(os.path.join(folder, "baseline.duckdb"))
        for table in spec["tables"]:
            report["tables"][table["name"]] = load_table(con, db, table, folder)
            os.remove(os.path.join(folder, table["name"] + ".csv"))
        started = time.perf_counter()
        for statement in spec.get("setup", []):
            con.execute(statement)
        report["setup_s"] = round(time.perf_counter() - started, 1)
        for query in spec.get("queries", []):
            report["queries"][query["name"]] = time_query(con, query)
        for query_set in spec.get("sets", []):
            report["sets"][query_set["name"]] = time_query_set(con, query_set)
        con.close()
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
