#!/usr/bin/env python3
"""bench/bench.py -- `make bench`: runs every benchmark of scribe and
reports them as a table on stdout and as JSON (bench/results.json; a
QUICK=1 run writes build/bench/results-quick.json and a CORPUS=DIR run
build/bench/results-corpus.json instead, so the committed figures always
come from a full run on the generated corpus).

In-process figures come from build/bench/bench (bench/bench.c); this
script adds what needs whole processes: the bot's memory at rest (with
its resident set per mapping) and its question-to-reply time against the
test homeserver (tests/homeserver.py, driven with tests/e2e/hs.py), as the
bot measures it in-process (p50/p99 overall and per kind of question, and
the bot's own part: the reply time less the command's), peak memory while
ingesting a 1 MB record, and `scribe ask` against the sqlite3 shell.
CORPUS=DIR takes the ingest figures, the database size and the bot's
store from the record files under DIR (*.txt, *.md) instead of the
generator; the answers at 100 to 10,000 meetings and the 1 MB record
still come from the generator, which can make that many.
Standard library only."""

import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "build", "bench", "bench")
LIBFLOOR = os.path.join(ROOT, "build", "bench", "libfloor")
SCRIBE = os.path.join(ROOT, "build", "scribe")
WORK = os.environ.get("BENCH_WORK") or os.path.join(ROOT, "build", "bench", "work")

TARGETS = {
    "ingest_ratio": ("ingest time vs the FTS5 floor", 1.25, "x"),
    "who_raised_p99_ms": ("who raised p99 at the largest size", 5.0, "ms"),
    "open_actions_p99_ms": ("open actions p99 at the largest size", 2.0, "ms"),
    "recap_p99_ms": ("recap p99 at the largest size", 5.0, "ms"),
    "bot_reply_p99_ms": ("bot question-to-reply p99", 2.0, "ms"),
    "bot_rss_mb": ("bot resident memory at rest", 10.0, "MB"),
    "bot_rss_after_mb": ("bot resident memory at rest, after questions", 10.0, "MB"),
    "peak_ingest_1mb_mb": ("peak memory ingesting a 1 MB record", 32.0, "MB"),
    "drift_mb": ("drift after 10,000 answers (QUICK: 1,000)", 1.0, "MB"),
    "db_ratio": ("database bytes per byte of text", 2.5, "x"),
    "ask_vs_sqlite3": ("`scribe ask` vs the sqlite3 shell", 3.0, "x"),
}


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def run_json(args):
    out = subprocess.run(args, check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out.decode())


def memory_floor(runs=5):
    """What the libraries cost before scribe does anything: the median
    resident memory of build/bench/libfloor (every library the bot loads,
    libcurl and OpenSSL initialised by the bot's own http_new(), then
    nothing), KiB."""
    got = sorted((run_json([LIBFLOOR]) for _ in range(runs)), key=lambda m: m["rss_kb"])
    return got[len(got) // 2]


def corpus_files(d):
    """The record files under d (regular, *.txt or *.md, recursively),
    sorted by their path under d; exits with status 2 when there are none."""
    if not os.path.isdir(d):
        print("bench: CORPUS '%s' is not a directory" % d, file=sys.stderr)
        sys.exit(2)
    files = []
    for top, _, names in os.walk(d):
        for n in names:
            p = os.path.join(top, n)
            if n.lower().endswith((".txt", ".md")) and os.path.isfile(p):
                files.append(p)
    files.sort(key=lambda p: os.path.relpath(p, d))
    if not files:
        print("bench: CORPUS '%s' holds no record files (*.txt, *.md)" % d, file=sys.stderr)
        sys.exit(2)
    return files


def bot_questions(con, per_kind):
    """(kind, text) questions for the bot, per_kind of each kind, from
    what the store at con holds: a different topic for each kind and no
    question twice when it holds enough. A store of real records may not:
    then questions repeat, and a kind with nothing to ask about is left
    out; both are logged. Empty when there is nothing to ask at all."""
    topics = [r[0] for r in con.execute("SELECT DISTINCT lower(text) FROM items WHERE kind = 1"
                                        " LIMIT ?", (3 * per_kind,))]
    people = [r[0] for r in con.execute("SELECT DISTINCT name FROM persons WHERE single = 0"
                                        " LIMIT ?", (per_kind,))]
    dates = [r[0] for r in con.execute("SELECT DISTINCT date FROM meetings WHERE date IS NOT NULL"
                                       " LIMIT ?", (per_kind,))]
    for what, have, want in (("topics", topics, 3 * per_kind), ("people", people, per_kind),
                             ("dates", dates, per_kind)):
        if len(have) < want:
            log("the bot's store has %d %s for %d questions: %s" % (
                len(have), what, want, "questions repeat" if have else
                "no questions that need them"))
    qs = []
    for i in range(per_kind):
        if topics:
            qs.append(("who_raised", "who raised %s?" % topics[i % len(topics)]))
        if people:
            qs.append(("open_actions", "open actions for %s" % people[i % len(people)]))
        if dates:
            qs.append(("recap", "recap %s" % dates[i % len(dates)]))
        if topics:
            qs += [("decisions", "what was decided about %s?"
                    % topics[(i + per_kind) % len(topics)]),
                   ("search", "search %s" % topics[(i + 2 * per_kind) % len(topics)])]
    return qs


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name"):
                    cpu = ln.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mb": mem,
            "kernel": platform.release(), "sqlite": sqlite3.sqlite_version,
            "python": platform.python_version()}


# ------------------------------------------------------------ processes

def peak_rss_kb(cmd):
    """Run cmd; its peak resident set (KiB) from wait4's rusage."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError("%s exited with %d" % (cmd, p.returncode))
    return ru.ru_maxrss


def wall(cmd, env=None):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def ask_vs_sqlite3(db, runs):
    """Whole processes: `scribe ask "search WORD"` against the sqlite3
    shell's own time for one FTS5 MATCH of WORD on the same database."""
    if not shutil.which("sqlite3"):
        return None
    con = sqlite3.connect(db)
    topic = con.execute("SELECT text FROM items WHERE kind = 1 ORDER BY id LIMIT 1").fetchone()
    con.close()
    word = re.findall(r"[a-z]{4,}", (topic[0] if topic else "meeting").lower())[0]
    sc = [SCRIBE, "--db", db, "ask", "search " + word]
    sq = ["sqlite3", db, "SELECT rowid FROM turns_fts WHERE turns_fts MATCH '%s' "
          "ORDER BY rank LIMIT 10;" % word]
    wall(sc)
    wall(sq)
    ts, tq = [], []
    for i in range(runs):
        if i % 2:
            tq.append(wall(sq))
            ts.append(wall(sc))
        else:
            ts.append(wall(sc))
            tq.append(wall(sq))
    ms, mq = statistics.median(ts) * 1e3, statistics.median(tq) * 1e3
    return {"word": word, "runs": runs, "scribe_ms": round(ms, 2), "sqlite3_ms": round(mq, 2),
            "ratio": round(ms / mq, 2)}


def proc_memory(pid):
    """RSS and private memory (KiB) of a live process, with the share of
    RSS that is shared libraries' code and data."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            if ln.startswith(("VmRSS:", "RssAnon:", "RssFile:")):
                out[ln.split(":")[0]] = int(ln.split()[1])
    priv = 0
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for ln in f:
                if ln.startswith(("Private_Clean:", "Private_Dirty:")):
                    priv += int(ln.split()[1])
                elif ln.startswith("Pss:"):
                    out["Pss"] = int(ln.split()[1])
    except OSError:
        pass
    out["Private"] = priv
    return {"rss_kb": out.get("VmRSS", 0), "private_kb": priv, "pss_kb": out.get("Pss", 0),
            "anon_kb": out.get("RssAnon", 0), "file_kb": out.get("RssFile", 0)}


def proc_mappings(pid, top=12):
    """RSS (KiB) per mapped file (a library's code and data together),
    [heap], [stack] and anonymous memory, largest first: what the resident
    set is made of."""
    per, name = {}, None
    try:
        with open("/proc/%d/smaps" % pid) as f:
            for ln in f:
                if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", ln):
                    parts = ln.split()
                    name = os.path.basename(parts[5]) if len(parts) > 5 else "[anon]"
                elif ln.startswith("Rss:"):
                    per[name] = per.get(name, 0) + int(ln.split()[1])
    except OSError:
        return {}
    ranked = sorted(per.items(), key=lambda kv: -kv[1])
    res = dict(ranked[:top])
    res["(others)"] = sum(v for _, v in ranked[top:])
    return res


def pcts(values):
    """n, p50, p99 and max (ms) of latencies in ms."""
    v = sorted(values)
    if not v:
        return None
    return {"n": len(v), "p50_ms": round(v[len(v) // 2], 3),
            "p99_ms": round(v[min(len(v) - 1, int(len(v) * 0.99))], 3), "max_ms": round(v[-1], 3)}


def bot_latencies(log_text, kinds):
    """The bot's own figures per event (debug log): 'reply issued N us
    after its sync was parsed' (the question-to-reply time) and 'command
    took N us' (the answer's computation, inside it). `kinds` maps event
    ids to a kind of question."""
    reply, command = {}, {}
    for eid, us in re.findall(r"event '([^']+)': reply issued (\d+) us after its sync was parsed",
                              log_text):
        reply.setdefault(eid, int(us) / 1000.0)
    for eid, us in re.findall(r"event '([^']+)': command took (\d+) us", log_text):
        command.setdefault(eid, int(us) / 1000.0)
    raw = {"all": [reply[e] for e in kinds if e in reply and not kinds[e].startswith("help")],
           "own": [reply[e] - command[e] for e in kinds if e in reply and e in command],
           "by_kind": {}, "own_by_kind": {}}
    for e, k in kinds.items():
        if e in reply:
            raw["by_kind"].setdefault(k, []).append(reply[e])
            if e in command:
                raw["own_by_kind"].setdefault(k, []).append(reply[e] - command[e])
    out = latency_figures(raw)
    out["raw"] = raw
    return out


def latency_figures(raw):
    """Percentiles of the raw latencies bot_latencies() collects (one run's,
    or several runs' put together)."""
    return {"all": pcts(raw["all"]), "bot_overhead": pcts(raw["own"]),
            "by_kind": {k: pcts(v) for k, v in sorted(raw["by_kind"].items())},
            "overhead_by_kind": {k: pcts(v) for k, v in sorted(raw["own_by_kind"].items())}}


def pool_runs(runs):
    """Several bot_bench() runs as one: the replies of all of them (each
    run a fresh bot, so every question is asked for the first time), and
    the memory of the run whose resident memory at rest is the median."""
    raw = {"all": [], "own": [], "by_kind": {}, "own_by_kind": {}}
    for r in runs:
        for key in ("all", "own"):
            raw[key] += r["raw"][key]
        for key in ("by_kind", "own_by_kind"):
            for k, v in r["raw"][key].items():
                raw[key].setdefault(k, []).extend(v)
    mid = sorted(runs, key=lambda r: r.get("rest", {}).get("rss_kb", 0))[len(runs) // 2]
    out = {k: v for k, v in mid.items() if k not in ("raw", "replies", "replies_by_kind",
                                                      "bot_overhead", "bot_overhead_by_kind")}
    lat = latency_figures(raw)
    if lat["all"]:
        out["replies"] = lat["all"]
    out["replies_by_kind"] = lat["by_kind"]
    out["bot_overhead"] = lat["bot_overhead"]
    out["bot_overhead_by_kind"] = lat["overhead_by_kind"]
    out["runs"] = len(runs)
    out["p99_by_run"] = [r.get("replies", {}).get("p99_ms") for r in runs]
    return out


def wait_reply_synced(user, room, event_id, since, seconds=60):
    """Long-polls `user`'s /sync from `since` until a reply to event_id
    arrives; returns the next sync token."""
    import hs  # noqa: E402
    end = time.time() + seconds
    while time.time() < end:
        r = user.sync(since=since, timeout=5000)
        since = r.get("next_batch", since)
        joined = r.get("rooms", {}).get("join", {}).get(room, {})
        if any(hs.relates_to(ev) == event_id
               for ev in joined.get("timeline", {}).get("events", [])):
            return since
    raise RuntimeError("no answer to %s within %d s" % (event_id, seconds))


# Seconds between the "help" questions asked after a rest: over the
# bot's REST_MS (bot/bot_int.h), so that each comes after the bot has
# rested (checkpoint, memory back), as questions in a conversation do.
REST_GAP_S = 1.5


def bot_bench(db, questions, corpus_questions, helps, spaced=0):
    """scribe run against the test homeserver on `db`: memory at rest,
    then `questions` questions one after another (each (kind, text)), then
    `helps` trivial ones ("help": the bot's own path with next to no
    command), then `spaced` more "help" each after a rest (kind
    "help_after_rest"); the bot logs, per question, the time from the
    parsed sync holding it to its reply request, and the command's own
    time."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
    os.environ["SCRIBE_BIN"] = SCRIBE
    import hs  # noqa: E402
    t = hs.Test("bench")
    res = {}
    try:
        server = t.homeserver()
        alice = server.register("alice")
        bot = t.scribe(server, bot={"database": db}, log_level="debug")
        room = bot.room_with(alice)
        time.sleep(2.0)
        res["rest"] = proc_memory(bot.proc.pid)
        res["rest_mappings_kb"] = proc_mappings(bot.proc.pid)
        # One question at a time, each waiting for its answer, so that the
        # figure is the bot's own path (sync parsed -> command -> reply
        # request) and not the queue of a room's earlier replies.
        # The asker waits as a client does, on its own long-poll /sync (not
        # by polling the room's history, which kept the test homeserver
        # busy on the 2 cores the bot runs on).
        kinds = {}
        since = alice.sync(timeout=0)["next_batch"]
        for i in range(questions + helps):
            kind, text = corpus_questions[i % len(corpus_questions)] if i < questions \
                else ("help", "help")
            eid = alice.say(room, "!" + text)
            kinds[eid] = kind
            since = wait_reply_synced(alice, room, eid, since)
        for i in range(spaced):
            time.sleep(REST_GAP_S)
            eid = alice.say(room, "!help")
            kinds[eid] = "help_after_rest"
            since = wait_reply_synced(alice, room, eid, since)
        time.sleep(2.0)
        res["after"] = proc_memory(bot.proc.pid)
        lat = bot_latencies(bot.log_text(), kinds)
        bot.term()
        if lat["all"]:
            res["replies"] = lat["all"]
        res["replies_by_kind"] = lat["by_kind"]
        res["bot_overhead"] = lat["bot_overhead"]
        res["bot_overhead_by_kind"] = lat["overhead_by_kind"]
        res["raw"] = lat["raw"]
        res["libraries"] = libraries(SCRIBE)
    finally:
        t.cleanup()
        shutil.rmtree(t.workdir, ignore_errors=True)
    return res


def libraries(binary):
    try:
        out = subprocess.run(["ldd", binary], stdout=subprocess.PIPE, check=True).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return 0
    return len([ln for ln in out.splitlines() if "=>" in ln])


# ------------------------------------------------------------ report

def verdict(value, target):
    if value is None:
        return "n/a"
    return "pass" if value <= target else "MISS"


def main():
    quick = os.environ.get("QUICK", "") not in ("", "0")
    cfg = {"ingest_meetings": 10 if quick else 100, "ingest_rounds": 3 if quick else 7,
           "sizes": [100] if quick else [100, 1000, 10000], "questions": 100 if quick else 300,
           "drift_answers": 1000 if quick else 10000, "bot_questions": 60 if quick else 300,
           "bot_helps": 30 if quick else 100, "bot_runs": 1 if quick else 3,
           "bot_spaced": 5 if quick else 10,
           "ask_runs": 5 if quick else 21}
    corpus = None
    if os.environ.get("CORPUS"):
        d = os.environ["CORPUS"]
        files = corpus_files(d)
        corpus = {"dir": d, "files": len(files), "bytes": sum(os.path.getsize(p) for p in files)}
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    t0 = time.time()

    if corpus:
        log("ingest: %d files from %s, at least %d rounds" % (corpus["files"], corpus["dir"],
                                                               cfg["ingest_rounds"]))
        p = subprocess.run([BENCH, "ingest-files", WORK, str(cfg["ingest_rounds"])] + files,
                           stdout=subprocess.PIPE)
        if p.returncode == 2:
            log("CORPUS '%s' holds no record scribe can store (see above)" % corpus["dir"])
            sys.exit(2)
        if p.returncode != 0:
            raise RuntimeError("bench ingest-files exited with %d" % p.returncode)
        ingest = json.loads(p.stdout.decode())
        ingest["source"] = corpus["dir"]
    else:
        log("ingest: %d meetings, %d rounds" % (cfg["ingest_meetings"], cfg["ingest_rounds"]))
        ingest = run_json([BENCH, "ingest", WORK, str(cfg["ingest_meetings"]),
                           str(cfg["ingest_rounds"])])

    log("answers at %s meetings" % ",".join(map(str, cfg["sizes"])))
    answers = run_json([BENCH, "answers", WORK, ",".join(map(str, cfg["sizes"])),
                        str(cfg["questions"]), str(cfg["drift_answers"])])
    db = os.path.join(WORK, "answers.db")

    log("peak memory ingesting a 1 MB record")
    big = os.path.join(WORK, "big.txt")
    run_json([BENCH, "record", big, str(1 << 20)])
    peak_kb = peak_rss_kb([SCRIBE, "--db", os.path.join(WORK, "peak.db"), "ingest", big])

    log("scribe ask vs the sqlite3 shell")
    ask = ask_vs_sqlite3(db, cfg["ask_runs"])

    # The bot serves the store of the ingest benchmark (its size is in the
    # report): the slow kinds at 10,000 meetings would make this run long.
    log("the bot against the test homeserver")
    botdb = os.path.join(WORK, "ingest-scribe.db")
    # A different question each time (each kind gets bot_questions / 5),
    # and a different topic for each kind: no answer comes from what the
    # store kept of an earlier question.
    per_kind = cfg["bot_questions"] // 5
    con = sqlite3.connect(botdb)
    qs = bot_questions(con, per_kind)
    meetings = con.execute("SELECT count(*) FROM meetings").fetchone()[0]
    con.close()
    store = "corpus" if corpus else "generated"
    if not qs:
        # Nothing in the corpus's store to ask about: the bot serves a
        # generated store of the usual size instead.
        log("nothing to ask about in the corpus's store: the bot serves %d generated meetings"
            % cfg["ingest_meetings"])
        gen = os.path.join(WORK, "bot-generated")
        os.makedirs(gen)
        run_json([BENCH, "ingest", gen, str(cfg["ingest_meetings"]), "1"])
        botdb = os.path.join(gen, "ingest-scribe.db")
        con = sqlite3.connect(botdb)
        qs = bot_questions(con, per_kind)
        con.close()
        meetings, store = cfg["ingest_meetings"], "generated"
    # Several runs, each a fresh bot asked the same questions (none kept
    # from a run before), their replies put together: one run's p99 of 300
    # is its fourth slowest reply, which a busy moment of a shared machine
    # moves by a millisecond either way.
    try:
        runs = []
        for i in range(cfg["bot_runs"]):
            log("the bot, run %d of %d" % (i + 1, cfg["bot_runs"]))
            runs.append(bot_bench(botdb, len(qs), qs, cfg["bot_helps"], cfg["bot_spaced"]))
        bot = pool_runs(runs)
        bot["meetings"] = meetings
        bot["store"] = store
    except Exception as e:  # noqa: BLE001 -- report, do not lose the other figures
        log("bot benchmark failed: %s" % e)
        bot = {}

    log("the memory floor: the bot's libraries, loaded and initialised")
    floor_mem = memory_floor()

    largest = answers["sizes"][-1]
    drift = answers.get("drift", {})
    figures = {
        "ingest_ratio": ingest["ratio"],
        "who_raised_p99_ms": largest["who_raised"]["p99_ms"],
        "open_actions_p99_ms": largest["open_actions"]["p99_ms"],
        "recap_p99_ms": largest["recap"]["p99_ms"],
        "bot_reply_p99_ms": bot.get("replies", {}).get("p99_ms"),
        "bot_rss_mb": round(bot["rest"]["rss_kb"] / 1024, 2) if "rest" in bot else None,
        # The same bot once it has answered and rested again: what it keeps
        # between questions (prepared statements, what the store keeps of
        # its indexes) and the heap they leave behind.
        "bot_rss_after_mb": round(bot["after"]["rss_kb"] / 1024, 2) if "after" in bot else None,
        "peak_ingest_1mb_mb": round(peak_kb / 1024, 2),
        "drift_mb": round(max(drift.get("rss_drift_kb", 0), drift.get("heap_drift_kb", 0)) / 1024, 3),
        "db_ratio": ingest["db_ratio"],
        "ask_vs_sqlite3": ask["ratio"] if ask else None,
    }
    results = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "quick": quick, "config": cfg, "machine": machine(),
        "seconds": round(time.time() - t0, 1),
        "targets": {k: {"what": v[0], "target": v[1], "unit": v[2], "value": figures[k],
                        "verdict": verdict(figures[k], v[1])} for k, v in TARGETS.items()},
        "ingest": ingest, "answers": answers, "peak_ingest_1mb_kb": peak_kb,
        "ask_vs_sqlite3": ask, "bot": bot, "memory_floor": floor_mem,
    }
    if corpus:
        results["corpus"] = corpus
    # The committed figures (bench/results.json) come from a full run on
    # the generated corpus; a run on someone's own records has its own file.
    path = os.path.join(ROOT, "build", "bench", "results-quick.json") if quick else \
        os.path.join(ROOT, "build", "bench", "results-corpus.json") if corpus else \
        os.path.join(ROOT, "bench", "results.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    print_table(results)
    print("\nJSON: %s" % os.path.relpath(path, ROOT))


def print_table(r):
    m = r["machine"]
    print("scribe benchmarks%s -- %s, %d cores, %d MB, Linux %s, SQLite %s" % (
        " (QUICK)" if r["quick"] else "", m["cpu"], m["cores"], m["memory_mb"], m["kernel"], m["sqlite"]))
    ing = r["ingest"]
    c = r.get("corpus")
    if c:
        print("ingest and database size on CORPUS=%s (%d files, %.2f MB); answers on the"
              " generated corpus" % (c["dir"], c["files"], c["bytes"] / 1e6))
        print("\nIngest (%d files: %d stored, %d rejected by scribe, %d not read; %d meetings,"
              " %.2f MB, median of %d rounds)" % (
                  ing["files"], ing["stored"], ing["rejected"], ing["skipped"], ing["meetings"],
                  ing["bytes"] / 1e6, ing["rounds"]))
        print("  (scribe and the floor both get every file read; the database ratio is per"
              " byte stored)")
    else:
        print("\nIngest (%d meetings, %d records, %.1f MB, median of %d rounds)" % (
            ing["meetings"], ing["records"], ing["bytes"] / 1e6, ing["rounds"]))
    print("  scribe  %7.2f MB/s  %8.3f s   (scribe ingest FILE...: records stored a group per"
          " transaction, each read while the one before is stored)"
          % (ing["scribe_mb_s"], ing["scribe_s"]))
    if "one_thread_s" in ing:
        print("  one thread %4.2f MB/s  %8.3f s   (one record after another, as the bot stores a"
              " posted one: %.2f x the floor)" % (ing["bytes"] / 1e6 / ing["one_thread_s"],
                                                   ing["one_thread_s"], ing["one_thread_ratio"]))
    print("  floor   %7.2f MB/s  %8.3f s   (FTS5 insert of the paragraphs, same tokenizer)" % (
        ing["floor_mb_s"], ing["floor_s"]))
    print("  ratio   %7.2f x" % ing["ratio"])
    print("  database %.2f x the text (floor's own: %.2f x)" % (ing["db_ratio"], ing["floor_db_ratio"]))
    if c:
        print("  (an empty store is %.2f MB of it: %.2f x the text above that)" % (
            ing["empty_db_bytes"] / 1e6,
            (ing["db_bytes"] - ing["empty_db_bytes"]) / ing["stored_bytes"]))
    print("\nAnswers in-process (ms)      " + "".join("%18s" % ("%d meetings" % s["meetings"])
                                               for s in r["answers"]["sizes"]))
    for k in ("who_raised", "open_actions", "recap", "decisions", "search"):
        print("  %-26s" % k + "".join("%18s" % ("%.2f / %.2f" % (s[k]["p50_ms"], s[k]["p99_ms"]))
                                      for s in r["answers"]["sizes"]))
    print("  (p50 / p99, each question asked for the first time: nothing kept from before)")
    if all("tidy_s" in s for s in r["answers"]["sizes"]):
        print("  %-26s" % "index merge at rest (s)" + "".join(
            "%18.2f" % s["tidy_s"] for s in r["answers"]["sizes"]))
        print("  (the full-text segments the records left, merged before the questions,"
              " as the bot does at rest)")
    print("  asked again right after (what the store keeps between questions):")
    for k in ("who_raised", "open_actions", "recap", "decisions", "search"):
        print("  %-26s" % k + "".join("%18s" % ("%.2f / %.2f" % (s[k].get("again_p50_ms", 0),
                                                                 s[k].get("again_p99_ms", 0)))
                                      for s in r["answers"]["sizes"]))
    bot = r["bot"]
    if bot.get("replies"):
        b = bot["replies"]
        print("\nBot question-to-reply (parsed sync -> reply request, %d answers from %d run%s of a"
              " fresh bot, %d meetings%s): p50 %.3f ms, p99 %.3f ms" % (
                  b["n"], bot.get("runs", 1), "s" if bot.get("runs", 1) > 1 else "",
                  bot.get("meetings", 0),
                  " from CORPUS" if bot.get("store") == "corpus" else " generated" if c else "",
                  b["p50_ms"], b["p99_ms"]))
        if bot.get("runs", 1) > 1:
            print("  each run's own p99: %s ms" % ", ".join(
                "%.3f" % v for v in bot.get("p99_by_run", []) if v is not None))
        own = bot.get("bot_overhead_by_kind", {})
        for k, v in bot.get("replies_by_kind", {}).items():
            if v:
                o = own.get(k) or {}
                print("  %-15s n %3d  p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms   bot's own p50 %.3f p99 %.3f" % (
                    k, v["n"], v["p50_ms"], v["p99_ms"], v["max_ms"], o.get("p50_ms", 0), o.get("p99_ms", 0)))
        o = bot.get("bot_overhead")
        if o:
            print("  bot's own part (reply time less the command's): p50 %.3f ms, p99 %.3f ms" % (
                o["p50_ms"], o["p99_ms"]))
        if bot.get("replies_by_kind", {}).get("help_after_rest"):
            print("  (help_after_rest: \"help\" asked %.1f s after the last reply, when the bot has"
                  " rested, as in a conversation)" % REST_GAP_S)
    if bot.get("rest"):
        for key, label in (("rest", "at rest"), ("after", "after the questions")):
            mem = bot.get(key)
            if mem:
                print("Bot memory %-22s RSS %6.2f MB, private %5.2f MB, anon %5.2f MB, PSS %5.2f MB" % (
                    label + ":", mem["rss_kb"] / 1024, mem["private_kb"] / 1024,
                    mem["anon_kb"] / 1024, mem["pss_kb"] / 1024))
        fl = r.get("memory_floor")
        if fl:
            print("  of which the libraries' floor (build/bench/libfloor: the %d libraries loaded,"
                  " libcurl and OpenSSL initialised as the bot does, nothing else): RSS %.2f MB;"
                  " the bot's own at rest: %.2f MB" % (
                      fl["libraries"], fl["rss_kb"] / 1024,
                      (bot["rest"]["rss_kb"] - fl["rss_kb"]) / 1024))
        maps = bot.get("rest_mappings_kb")
        if maps:
            print("  at rest, RSS by mapping (KiB): " + ", ".join(
                "%s %d" % (k, v) for k, v in maps.items()))
    d = r["answers"].get("drift", {})
    if d:
        print("Drift over %d answers (%d meetings): RSS %+d KiB, heap %+d KiB" % (
            d["answers"], d["meetings"], d["rss_drift_kb"], d["heap_drift_kb"]))
    print("Peak RSS of `scribe ingest` on a 1 MB record: %.1f MB" % (r["peak_ingest_1mb_kb"] / 1024))
    a = r["ask_vs_sqlite3"]
    if a:
        print("`scribe ask \"search %s\"` %.1f ms vs sqlite3 MATCH %.1f ms: %.2f x" % (
            a["word"], a["scribe_ms"], a["sqlite3_ms"], a["ratio"]))
    print("\n%-46s %10s %10s  %s" % ("target", "value", "target", "verdict"))
    for k, t in r["targets"].items():
        v = "-" if t["value"] is None else ("%.3g" % t["value"])
        print("%-46s %7s %-2s %7s %-2s  %s" % (t["what"], v, t["unit"], "%g" % t["target"],
                                               t["unit"], t["verdict"]))


if __name__ == "__main__":
    main()
