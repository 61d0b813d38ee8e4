#!/usr/bin/env python3
"""Crash consistency: scribe is killed with SIGKILL at many random moments
(25 to 40 times, bounded by a time budget) while people post records (as
text and as files, one of them twice), ask questions, close actions
(`done A#`) and add actions (`action NAME: TEXT`), and restarted each
time; sometimes while it is starting, sometimes while it reads a record
or sends a reply, sometimes with work posted while it is down.

Afterwards:
  * PRAGMA integrity_check is ok on scribe's database;
  * every record is stored exactly once and whole: the same records read
    by `scribe ingest` into a fresh database give the same sha256s with the
    same numbers of turns and actions; the record posted twice is one row;
  * every question, record and command got exactly one reply (the
    homeserver's timeline, replies counted per event via m.relates_to);
  * every `done A#` closed its action exactly once (one 'done' in its
    history, no 'already done' reply) and every `action ...` created
    exactly one action;
  * no job is left behind; scribe stops cleanly with SIGTERM."""

import os
import random
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402

MIN_KILLS = 30
MAX_KILLS = 40
BUDGET_S = 150          # the kill loop's own limit, times SCRIBE_E2E_TIME_SCALE (at most 330 s)

NAMES = ["ANNA BERG", "TOMAS OKAFOR", "LENA VOSS", "RAVI MENON", "MARTA KOWALSKA",
         "JONAS EKLUND"]
TOPICS = ["spectrum audit", "booth rota", "archive migration", "glossary of terms",
          "mailing list policy", "travel fund", "youth track", "annual report"]


def gen_transcript(num, day, turns, seed):
    """A captioning transcript with `turns` turns and a few actions."""
    rnd = random.Random(seed)
    lines = ["XYZ Coordination Meeting #%d" % num, "", "%d March 2023" % day, "",
             "1400 UTC", ""]
    for i in range(turns):
        who = NAMES[rnd.randrange(len(NAMES))]
        topic = TOPICS[rnd.randrange(len(TOPICS))]
        if i % 40 == 7:
            text = "I will prepare the %s note for meeting %d by Friday." % (topic, num)
        else:
            text = ("On the %s, point %d of meeting %d: we went through it again and "
                    "agreed to keep the current plan for now." % (topic, i, num))
        lines.append(">> %s: %s" % (who, text))
    lines.append(">> ANNA BERG: Thank you all. Bye.")
    return "\n".join(lines) + "\n"


def reference(t, records):
    """sha256 -> (turns, actions) from `scribe ingest` into a fresh database."""
    db = os.path.join(t.workdir, "reference.db")
    binary = hs.scribe_binary()
    for i, (name, data) in enumerate(records):
        path = os.path.join(t.workdir, "ref-%d-%s" % (i, name))
        with open(path, "wb") as f:
            f.write(data)
        p = subprocess.run([binary, "--db", db, "ingest", path], capture_output=True,
                           timeout=120 * hs.TIME_SCALE)
        if p.returncode != 0:
            raise hs.Failure("reference ingest of %s failed: %s" % (name, p.stderr[:300]))
    return per_record(db)


def per_record(db):
    con = sqlite3.connect(db)
    try:
        out = {}
        for sha, rid in con.execute("SELECT sha256, id FROM records"):
            nt = con.execute("SELECT count(*) FROM turns WHERE record_id=?", (rid,)).fetchone()[0]
            na = con.execute("SELECT count(*) FROM actions WHERE record_id=?", (rid,)).fetchone()[0]
            out[sha] = (nt, na)
        return out
    finally:
        con.close()


def db_query(db, sql, args=()):
    for _ in range(20):
        try:
            con = sqlite3.connect(db, timeout=5)
            try:
                return con.execute(sql, args).fetchall()
            finally:
                con.close()
        except sqlite3.OperationalError:
            time.sleep(0.1)
    return []


def test(t):
    seed = int(os.environ.get("SCRIBE_CRASH_SEED", "0")) or random.randrange(1, 1 << 30)
    print("seed %d (SCRIBE_CRASH_SEED=%d repeats this run)" % (seed, seed))
    rnd = random.Random(seed)
    server = t.homeserver()
    alice = server.register("alice")
    bot = t.scribe(server, bot={"max_record_bytes": "5242880"})
    room = bot.room_with(alice)
    bot.ask(alice, room, "!help")          # the first sync token is stored

    step("the work: records as text and files, questions, done A#, new actions")
    records = [("xyz-7-transcript.txt", hs.data("xyz-7-transcript.txt").encode(), "text"),
               ("xyz-8-transcript.txt", hs.data("xyz-8-transcript.txt").encode(), "file"),
               ("xyz-7-summary.txt", hs.data("xyz-7-summary.txt").encode(), "file"),
               ("gen-301.txt", gen_transcript(301, 1, 60, 1).encode(), "text"),
               ("gen-302.txt", gen_transcript(302, 2, 60, 2).encode(), "text")]
    for k, n in enumerate(range(303, 309)):
        records.append(("gen-%d.txt" % n, gen_transcript(n, 3 + k, 2500, n).encode(), "file"))
    # Kept back for kills while a record is being read, should the random
    # kills find too little unfinished work (answers are fast); posted
    # with the rest of the work otherwise.
    reserve = [("gen-%d.txt" % n, gen_transcript(n, 20 + k, 1500, n).encode(), "file")
               for k, n in enumerate(range(310, 313))]
    n_reserve = len(reserve)
    ref = reference(t, [(n, d) for n, d, _ in records + reserve])
    check(len(ref) == len(records) + n_reserve,
          "%d distinct records, read by scribe ingest for reference" % len(ref))
    questions = ["!help", "!who raised the booth", "!actions", "!recap #7",
                 "!who raised community radio licensing", "!meetings", "!who raised the travel fund",
                 "!decisions", "!when is the next meeting", "!search archive migration",
                 "!open actions for Lena Voss", "!who attended #8", "!recap #303",
                 "!who raised the annual report", "!search spectrum audit"]
    ops = [("record", r) for r in records]
    ops += [("question", q) for q in questions]
    rnd.shuffle(ops)
    ops.append(("record", ("xyz-7-transcript.txt (again)", records[0][1], "file")))
    ops += [("done", None)] * 8 + [("add", "crash test task %d" % i) for i in range(6)]
    ops[len(records) + len(questions) + 1:] = rnd.sample(ops[len(records) + len(questions) + 1:],
                                                        len(ops) - len(records) - len(questions) - 1)

    triggers = []          # (event id, kind, detail)
    targeted = set()

    def post(op):
        kind, arg = op
        if kind == "record":
            name, data, how = arg
            if how == "text":
                eid = alice.say(room, data.decode())
            else:
                eid = alice.send_file(room, data, name.split(" ")[0])
            triggers.append((eid, "record", name))
        elif kind == "question":
            triggers.append((alice.say(room, arg), "question", arg))
        elif kind == "add":
            triggers.append((alice.say(room, "!action Lena Voss: %s" % arg), "add", arg))
        elif kind == "done":
            codes = [c for (c,) in db_query(bot.db, "SELECT code FROM actions WHERE status='open'"
                                            " AND text NOT LIKE 'crash test task%' ORDER BY id")
                     if c not in targeted]
            if not codes:
                return False
            code = rnd.choice(codes)
            targeted.add(code)
            triggers.append((alice.say(room, "!done %s" % code), "done", code))
        return True

    def post_some(n):
        for _ in range(n):
            if not ops:
                return
            op = ops.pop(0)
            if not post(op):
                ops.append(op)      # no open action known yet: later

    step("kill -9 at random moments, restart each time")
    bot.kill9()
    kills = 0
    modes = {"running": 0, "starting": 0, "down": 0}
    busy = 0               # kills with a job (reading, answering, sending) unfinished
    t0 = time.monotonic()
    budget = min(BUDGET_S * hs.TIME_SCALE, 330)
    while kills < MAX_KILLS and time.monotonic() - t0 < budget:
        if not ops and kills >= MIN_KILLS:
            break
        if not ops:
            ops.append(("question", rnd.choice(questions)))
        mode = rnd.choice(["running", "running", "starting", "down"])
        if mode == "down":
            post_some(rnd.randint(1, 2))
        bot.start(wait=False)
        if mode == "running":
            try:
                bot.wait_ready(timeout=30)
            except hs.Failure:
                bot.assert_alive()
            post_some(rnd.randint(1, 3))
            # Half the kills land within 150 ms: while the work is read,
            # answered or sent; the others any time in the next second.
            time.sleep(rnd.uniform(0.0, 0.15 if rnd.random() < 0.5 else 1.2) * hs.TIME_SCALE)
        elif mode == "starting":
            post_some(1)
            time.sleep(rnd.uniform(0.05, 2.5) * hs.TIME_SCALE)
        else:
            time.sleep(rnd.uniform(0.1, 1.5) * hs.TIME_SCALE)
        bot.assert_alive()
        bot.kill9()
        kills += 1
        modes[mode] += 1
        if db_query(bot.db, "SELECT count(*) FROM bot_jobs")[0][0]:
            busy += 1
    # Then, while too few kills found work unfinished: post a large record
    # and kill scribe as soon as it has taken it up as a job.
    while busy < 3 and reserve:
        bot.start()
        post(("record", reserve.pop(0)))
        deadline = time.monotonic() + 30 * hs.TIME_SCALE
        while time.monotonic() < deadline and \
                not db_query(bot.db, "SELECT count(*) FROM bot_jobs")[0][0]:
            time.sleep(0.01)
        bot.assert_alive()
        bot.kill9()
        kills += 1
        modes["reading"] = modes.get("reading", 0) + 1
        if db_query(bot.db, "SELECT count(*) FROM bot_jobs")[0][0]:
            busy += 1
    ops += [("record", r) for r in reserve]
    secs = time.monotonic() - t0
    check(kills >= MIN_KILLS, "scribe killed with SIGKILL %d times in %.0f s (%s), %d of them"
          " with work unfinished" % (kills, secs, ", ".join("%d %s" % (n, m)
                                                              for m, n in modes.items()), busy))
    check(busy >= 3, "at least 3 kills hit unfinished work (%d)" % busy)

    step("the rest of the work with scribe running")
    bot.start()
    while ops:
        post_some(1)
        if ops and all(k == "done" for k, _ in ops):
            # Only `done` left and no open action known: give it a moment.
            time.sleep(0.5)
            if not db_query(bot.db, "SELECT 1 FROM actions WHERE status='open' AND text NOT LIKE"
                                    " 'crash test task%' LIMIT 1"):
                break
    check(not ops, "every piece of work was posted (%d triggers)" % len(triggers))

    def all_answered():
        bot.assert_alive()
        return all(bot.replies_to(room, e) for e, _, _ in triggers)
    hs.wait_for(all_answered, 180, 0.5, "a reply to every trigger")
    time.sleep(3)

    step("every trigger answered exactly once")
    notices = bot.notices(room)
    per = {}
    for ev in notices:
        per.setdefault(hs.relates_to(ev), []).append(ev)
    bad = [(k, d, len(per.get(e, []))) for e, k, d in triggers if len(per.get(e, [])) != 1]
    check(not bad, "one reply each for %d triggers (wrong: %s)" % (len(triggers), bad[:5]))
    stray = [e for e in per if e is not None and e not in {x for x, _, _ in triggers}]
    check(len(stray) <= 1,
          "no reply to anything else (the first !help only: %d)" % len(stray))
    bodies = {e: hs.body(per[e][0]) for e, _, _ in triggers}
    dup_rec = [e for e, k, d in triggers if k == "record" and "again" in d]
    check(dup_rec and any(w in bodies[dup_rec[0]].lower() for w in ("already", "duplicate")),
          "the record posted twice is recognised: %r" % bodies[dup_rec[0]][:100])

    rc = bot.term()
    check(rc == 0, "SIGTERM -> exit status 0")

    step("the database")
    con = sqlite3.connect(bot.db)
    ok = con.execute("PRAGMA integrity_check").fetchone()[0]
    fk = con.execute("PRAGMA foreign_key_check").fetchall()
    jobs = con.execute("SELECT count(*) FROM bot_jobs").fetchone()[0]
    con.close()
    check(ok == "ok", "PRAGMA integrity_check: %s" % ok)
    check(not fk, "PRAGMA foreign_key_check: nothing (%s)" % fk[:3])
    check(jobs == 0, "no job left behind (%d)" % jobs)
    got = per_record(bot.db)
    check(len(db_query(bot.db, "SELECT id FROM records")) == len(records) + n_reserve,
          "%d rows in records: each record stored once" % (len(records) + n_reserve))
    check(got == ref, "every record stored whole: sha256, turns and actions as `scribe ingest`"
          " stores them (%d records)" % len(got))

    step("actions: each done applied once, each new action created once")
    for e, k, code in triggers:
        if k != "done":
            continue
        st = db_query(bot.db, "SELECT status FROM actions WHERE code=?", (code,))
        n = db_query(bot.db, "SELECT count(*) FROM action_history h JOIN actions a ON a.id ="
                             " h.action_id WHERE a.code=? AND h.what='done'", (code,))[0][0]
        check(st == [("done",)] and n == 1 and "already" not in bodies[e].lower(),
              "done %s: closed, one 'done' in its history (%d), replied %r"
              % (code, n, bodies[e][:60]))
    adds = [d for _, k, d in triggers if k == "add"]
    for text in adds:
        n = db_query(bot.db, "SELECT count(*) FROM actions WHERE text=?", (text,))[0][0]
        check(n == 1, "action %r created exactly once (%d)" % (text, n))
    n_done = sum(1 for _, k, _ in triggers if k == "done")
    check(n_done >= 4, "%d done commands and %d new actions were checked" % (n_done, len(adds)))
    print("crash summary: %d kills (%s; %d with work unfinished) in %.0fs; %d records, %d questions, %d done, %d new "
          "actions: all answered once, none lost, none applied twice" % (
              kills, ", ".join("%d %s" % (n, m) for m, n in modes.items()), busy, secs,
              sum(1 for _, k, _ in triggers if k == "record"),
              sum(1 for _, k, _ in triggers if k == "question"), n_done, len(adds)))


hs.main(test)
