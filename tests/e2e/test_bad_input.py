#!/usr/bin/env python3
"""Bad input, three ways in: records (`scribe ingest`), questions (`scribe
ask`) and Matrix events (raw events injected into the test homeserver's
sync answers while `scribe run` serves the room).

Each case gets a clear answer or a clear refusal and nothing is stored
half:
  * a refused record exits non-zero with one `scribe: FILE: reason` line
    on stderr and leaves every table as it was; an accepted one adds one
    record whose turns and actions match what the ingest line reports,
    stored as valid UTF-8;
  * a question always gets a non-empty answer (exit 0), changes nothing
    in the store, and its HTML never carries markup from the question;
  * a malformed event is answered at most once or dropped; scribe keeps
    running, answers the next question exactly once, and leaves no job
    behind.
No case may crash scribe or trip a sanitizer.  A table of every case is
printed at the end."""

import json
import os
import random
import re
import shlex
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402

ROWS = []                # (area, case, outcome, detail)
TABLES = ("meetings", "records", "turns", "persons", "labels", "speakers",
          "participants", "apologies", "items", "actions", "action_owners",
          "action_history", "next_meeting", "glossary")


def need(cond, msg):
    """check() without the noise: the table is the visible output."""
    if not cond:
        raise hs.Failure(msg)


def row(area, case, outcome, detail=""):
    ROWS.append((area, case, outcome, detail))
    print("   [%s] %-44s %-9s %s" % (area, case[:44], outcome, detail[:90]), flush=True)


def binaries():
    """The sanitizer build for every case; the -O2 build, when there is
    one, for the two cases whose size makes the sanitizers crawl."""
    asan = hs.scribe_binary()
    if not asan:
        raise hs.Skip("no scribe binary (run `make` first, or set SCRIBE_BIN)")
    plain = os.path.join(os.path.dirname(os.path.dirname(asan)), "scribe")
    if os.path.basename(os.path.dirname(asan)) != "asan" or not os.access(plain, os.X_OK):
        plain = asan
    return asan, plain


def run_cli(binary, db, args, stdin=None, timeout=120, wrap=True):
    """scribe's command line; under SCRIBE_WRAPPER (valgrind) too, except
    for the cases too big for it."""
    env = {k: v for k, v in os.environ.items()}
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env["SCRIBE_CONFIG"] = "/nonexistent/scribe.ini"
    t0 = time.monotonic()
    try:
        pre = shlex.split(hs.WRAPPER) if wrap else []
        p = subprocess.run(pre + [binary, "--db", db] + args, input=stdin, capture_output=True,
                           timeout=timeout * hs.TIME_SCALE, env=env)
    except subprocess.TimeoutExpired:
        raise hs.Failure("scribe %s did not finish within %ds" % (args[0], timeout))
    secs = time.monotonic() - t0
    err = p.stderr.decode("utf-8", "replace")
    rep = hs.sanitizer_report(err)
    if rep:
        raise hs.Failure("sanitizer report from scribe %s:\n%s" % (args[0], rep))
    if p.returncode < 0:
        raise hs.Failure("scribe %s died of signal %d" % (args[0], -p.returncode))
    return p.returncode, p.stdout, err, secs


def counts(db):
    if not os.path.exists(db):
        return {t: 0 for t in TABLES}
    con = sqlite3.connect(db)
    try:
        out = {}
        for t in TABLES:
            try:
                out[t] = con.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
            except sqlite3.OperationalError:
                out[t] = 0
        return out
    finally:
        con.close()


def integrity(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def all_text_valid_utf8(db):
    """Every TEXT value in the record tables decodes as UTF-8."""
    con = sqlite3.connect(db)
    con.text_factory = bytes
    bad = []
    try:
        for t, cols in (("records", ("text", "name", "title")), ("turns", ("text", "label")),
                        ("persons", ("name", "affiliation")), ("meetings", ("grp", "title")),
                        ("actions", ("text", "quote")), ("items", ("text", "quote"))):
            for c in cols:
                for (v,) in con.execute("SELECT %s FROM %s" % (c, t)):
                    if isinstance(v, bytes):
                        try:
                            v.decode("utf-8")
                        except UnicodeDecodeError:
                            bad.append("%s.%s" % (t, c))
    finally:
        con.close()
    return sorted(set(bad))


# ------------------------------------------------------------------ records

HEAD = "XYZ Coordination Meeting #%d\n\n14 June 2022\n\n1500 UTC\n\n"
SPACES = ["\u0009", "\u0020", "\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003",
          "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200a", "\u202f",
          "\u205f", "\u3000", "\u180e", "\u200b", "\ufeff"]
HYPHENS = ["\u002d", "\u00ad", "\u058a", "\u05be", "\u1400", "\u1806", "\u2010", "\u2011",
           "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\u2e17", "\u2e1a", "\u2e3a",
           "\u2e3b", "\u2e40", "\u301c", "\u3030", "\u30a0", "\ufe31", "\ufe32", "\ufe58",
           "\ufe63", "\uff0d"]


def transcript(n, turns):
    return HEAD % n + "\n".join(">> %s: %s" % st for st in turns) + "\n"


def normal_turns(topic):
    return [("ANNA BERG", "Welcome everyone, today we discuss the %s." % topic),
            ("TOMAS OKAFOR", "I will send the %s draft to the list by Friday." % topic),
            ("ANNA BERG", "Thank you, Tomas. Any other business? None. Bye.")]


def record_cases():
    rnd = random.Random(5)
    c = []
    png = b"\x89PNG\r\n\x1a\n" + bytes(rnd.randrange(256) for _ in range(3000))
    c.append(("binary (PNG header, random bytes)", png, "refuse", None))
    c.append(("random bytes without NUL", bytes(rnd.randrange(1, 256) for _ in range(4000)),
              "either", None))
    nul = transcript(101, normal_turns("booth")).encode().replace(b"Welcome", b"Wel\x00come")
    c.append(("NUL byte inside a turn", nul, "refuse", None))
    c.append(("empty (0 bytes)", b"", "refuse", None))
    c.append(("only whitespace and newlines", b" \n\t\r\n   \n\n" * 100, "refuse", None))
    c.append(("enormous single line (4 MB, no newline)", b"word " * 800000, "refuse", "plain"))
    big_turn = HEAD % 102 + ">> ANNA BERG: " + "licensing " * 400000 + \
        "\n>> TOMAS OKAFOR: Noted.\n"
    c.append(("enormous single turn (4 MB line)", big_turn.encode(), "accept", "plain"))
    c.append(("over the size limit (6 MB)", (HEAD % 103 + ">> ANNA: x\n" * 600000).encode(),
              "refuse", None))
    names = ["ANNA BERG", "TOMAS OKAFOR", "LENA VOSS", "RAVI MENON"]
    many = HEAD % 104 + "".join(">> %s: t%d booth.\n" % (names[i % 4], i) for i in range(100000))
    c.append(("100,000 turns", many.encode(), "accept", "plain"))
    c.append(("label of 5,000 characters", transcript(105, [("A" * 5000, "Hello about the booth."),
                                                             ("TOMAS OKAFOR", "Fine."),
                                                             ("ANNA BERG", "Bye.")]).encode(),
              "either", None))
    c.append(("label of 5,000 characters, no colon",
              (HEAD % 106 + ">> " + "B" * 5000 + "\n>> ANNA BERG: Hello.\n>> TOMAS OKAFOR: Bye.\n")
              .encode(), "either", None))
    sp = transcript(107, [("ANNA%sBERG" % s, "We discussed%sthe%sspectrum%saudit." % (s, s, s))
                          for s in SPACES] + [("TOMAS OKAFOR", "Agreed.")])
    c.append(("every Unicode space, in labels and text", sp.encode(), "accept", None))
    hy = transcript(108, [("LENA VOSS", "The co%sop%sregion plan, item %d." % (h, h, i))
                          for i, h in enumerate(HYPHENS)] + [("TOMAS OKAFOR", "Agreed.")])
    c.append(("every Unicode hyphen and dash", hy.encode(), "accept", None))
    mixed = transcript(109, [("RENÉ DUBOIS", "Café society met in Zürich."),
                             ("ANNA BERG", "Thanks René.")]).encode() + \
        ">> JOSÉ MUÑOZ: Señor’s “quoted” résumé.\n".encode("cp1252")
    c.append(("mixed encodings (UTF-8 and Windows-1252)", mixed, "either", None))
    c.append(("UTF-16LE with BOM", b"\xff\xfe" + transcript(110, normal_turns("radio"))
              .encode("utf-16-le"), "either", None))
    c.append(("UTF-8 BOM", b"\xef\xbb\xbf" + transcript(111, normal_turns("glossary")).encode(),
              "accept", None))
    badutf = transcript(112, normal_turns("audit")).encode().replace(
        b"Welcome", b"We\xc0\xafl\xed\xa0\x80co\xf4\x90\x80\x80me\xe2\x82")
    c.append(("invalid UTF-8 (overlong, surrogate, >U+10FFFF)", badutf, "either", None))
    html = ("<html><head><title>XYZ Coordination Meeting #113</title></head><body>"
            "<p>14 June 2022</p>" + "".join("<p>&gt;&gt; %s: %s</p>" % t
                                            for t in normal_turns("booth")) +
            "</body></html>").encode()
    c.append(("an HTML page", html, "either", None))
    mk = transcript(114, [("<b>ANNA</b> BERG", "<script>alert(1)</script> the **booth** "
                           "[x](javascript:alert(1)) <img src=x onerror=alert(1)>"),
                          ("TOMAS OKAFOR", "I will send the `booth` plan."),
                          ("ANNA BERG", "Bye.")])
    c.append(("markup in labels and text", mk.encode(), "accept", None))
    c.append(("CRLF line ends", transcript(115, normal_turns("poll")).replace("\n", "\r\n")
              .encode(), "accept", None))
    c.append(("CR-only line ends", transcript(116, normal_turns("poll")).replace("\n", "\r")
              .encode(), "either", None))
    sql = transcript(117, [("ANNA BERG", "Robert'); DROP TABLE records; -- said hello."),
                           ("TOMAS OKAFOR", "1' OR '1'='1 and \" MATCH * NEAR("),
                           ("ANNA BERG", "Bye.")])
    c.append(("SQL and FTS syntax in turns", sql.encode(), "accept", None))
    syl = ["BA", "DO", "KE", "LU", "MI", "NA", "PO", "RI", "SA", "TE", "VO", "ZU"]

    def pname(i):
        return "%s%s %s%s%sN" % (syl[i % 12], syl[i // 12 % 12].lower(), syl[i // 144 % 12],
                                 syl[(i // 7) % 12].lower(), syl[i % 5].lower())
    spk = transcript(118, [(pname(i), "Point %d on the archive." % i) for i in range(2000)])
    c.append(("2,000 distinct speakers", spk.encode(), "accept", None))
    summ = ("XYZ Coordination Meeting #119\n\nSummary report\n\n14 June 2022\n\n"
            "1. Key points raised\n\nThe group discussed the archive.\n\n2. Next steps\n\n" +
            "".join("- The Secretariat will send reminder %d to the list.\n" % i
                    for i in range(3000)))
    c.append(("summary with 3,000 Next steps bullets", summ.encode(), "either", None))
    c.append(("meeting number #99999999999999999999999",
              transcript(0, normal_turns("numbers")).replace("#0", "#99999999999999999999999")
              .encode(), "accept", None))
    c.append(("Roman numeral of 60 Ms", transcript(0, normal_turns("roman"))
              .replace("#0", "M" * 60).encode(), "either", None))
    c.append(("impossible dates (31 February, year 99999)",
              transcript(120, normal_turns("dates")).replace("14 June 2022", "31 February 99999")
              .encode(), "accept", None))
    ctl = transcript(121, [("ANNA BERG", "Bell\x07 escape \x1b[31mred\x1b[0m del\x7f back\x08."),
                           ("TOMAS OKAFOR", "Form\x0cfeed and \x0bvtab."), ("ANNA BERG", "Bye.")])
    c.append(("control characters (ESC, BEL, DEL, FF)", ctl.encode(), "either", None))
    c.append(("one line of 100,000 '>'", (HEAD % 122 + ">" * 100000 + "\n").encode(),
              "refuse", None))
    c.append(("100,000 bare '>>' lines", (HEAD % 123 + ">>\n" * 100000).encode(),
              "refuse", None))
    c.append(("1 MB of whitespace, then a transcript",
              (" \n" * 500000 + transcript(124, normal_turns("space"))).encode(), "either", None))
    c.append(("only a captioning disclaimer",
              b"This is the output of the realtime captioning of an online meeting. It is "
              b"mostly accurate, but it may be incomplete.\n\n***\n", "refuse", None))
    return c


def ingest_case(t, binaries_, db, name, data, expect, which, seen):
    asan, plain = binaries_
    binary = plain if which == "plain" else asan
    path = os.path.join(t.workdir, "rec-%d.txt" % len(ROWS))
    with open(path, "wb") as f:
        f.write(data)
    before = counts(db)
    rc, out, err, secs = run_cli(binary, db, ["ingest", path], timeout=180,
                                 wrap=which != "plain")
    after = counts(db)
    out = out.decode("utf-8", "replace").strip()
    err_lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    tag = "" if binary == asan else " [-O2 build]"
    if rc == 0:
        need(expect != "refuse", "%s: should be refused, was accepted: %s" % (name, out[:200]))
        need(out.count("\n") == 0 and path in out, "%s: not one line naming the file: %r" % (name, out[:300]))
        if "duplicate" in out:
            need(after == before, "%s: a duplicate stored something" % name)
            row("record", name, "duplicate", out[len(path) + 2:][:80] + tag)
            return
        need(after["records"] == before["records"] + 1, "%s: not exactly one record row added" % name)
        m = re.search(r"(\d+) turns?, (\d+) people, (\d+) actions?, (\d+) decisions?", out)
        need(m is not None, "%s: the line lacks the counts: %r" % (name, out[-120:]))
        nt, _, na, _ = (int(x) for x in m.groups())
        con = sqlite3.connect(db)
        rid = con.execute("SELECT max(id) FROM records").fetchone()[0]
        dt = con.execute("SELECT count(*) FROM turns WHERE record_id=?", (rid,)).fetchone()[0]
        da = con.execute("SELECT count(*) FROM actions WHERE record_id=?", (rid,)).fetchone()[0]
        con.close()
        need(dt == nt and da == na,
             "%s: stored half: %d turns and %d actions reported, %d and %d stored"
              % (name, nt, na, dt, da))
        bad = all_text_valid_utf8(db)
        need(not bad, "%s: invalid UTF-8 stored in %s" % (name, bad))
        row("record", name, "accepted", "%s (%.1fs)%s" % (out[len(path) + 2:][:70], secs, tag))
    else:
        need(expect != "accept", "%s: should be accepted, was refused (exit %d): %s" % (name, rc, err[:300]))
        need(len(err_lines) == 1 and err_lines[0].startswith("scribe: ") and len(err_lines[0]) < 300,
             "%s: not one clear line on stderr: %r" % (name, err[:300]))
        need(after == before, "%s: refused, yet something was stored" % name)
        row("record", name, "refused", err_lines[0][len("scribe: "):].replace(path, "FILE")[:80] + tag)


# ---------------------------------------------------------------- questions

def question_cases():
    return [
        ("FTS operators", 'who raised "booth" OR radio* NOT x AND y'),
        ("FTS NEAR and column filter", "search NEAR(booth radio, 2) turns:booth {text}: poll"),
        ("FTS unbalanced quote and paren", 'search "booth (radio'),
        ("FTS bare operators", "search AND OR NOT * ^ -"),
        ("FTS star only", "search *"),
        ("SQL injection in a search", "search '; DROP TABLE records; --"),
        ("SQL injection in who raised", "who raised 1' OR '1'='1"),
        ("SQL injection in a name", "actions for x'); DELETE FROM actions; --"),
        ("LIKE wildcards", "meetings about %_%"),
        ("control characters", "who raised \x1b[2J\x07booth\x7f\x01\x02"),
        ("newline and tab inside", "who raised\nthe\tbooth"),
        ("10,000 characters", "who raised " + ("booth radio " * 900)[:9989]),
        ("10,000 '('", "(" * 10000),
        ("10,000 '\"'", "search " + '"' * 10000),
        ("empty", ""),
        ("whitespace only", " \t  "),
        ("right-to-left override, zero-width", "who raised \u202ebooth\u200b\u200d\ufeff"),
        ("emoji and astral characters", "who raised 📻 𝔟𝔬𝔬𝔱𝔥"),
        ("markup in a name", "what did <script>alert(1)</script> say about the booth"),
        ("markup in a topic", 'who raised <img src=x onerror=alert(1)> "javascript:alert(1)"'),
        ("recap of a 23-digit meeting number", "recap #99999999999999999999999"),
        ("recap of a 40-M Roman numeral", "recap MAG " + "M" * 40),
        ("done on a 20-digit action id", "done A99999999999999999999"),
        ("reopen on a negative action id", "reopen A-5"),
        ("decisions on a date that cannot be", "decisions 2022-02-31"),
        ("help for 5,000 characters", "help " + "x" * 5000),
    ]


def ask_case(binary, db, name, text, before):
    arg = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    rc, out, err, secs = run_cli(binary, db, ["ask", arg, "--json"], timeout=60)
    after = counts(db)
    need(rc == 0, "%s: exit %d: %s" % (name, rc, err[:200]))
    try:
        d = json.loads(out.decode("utf-8"))
    except ValueError as e:
        raise hs.Failure("%s: --json output is not JSON (%s): %r" % (name, e, out[:200]))
    ans = (d.get("answer") or "").strip()
    html = d.get("html") or ""
    need(ans, "%s: an empty answer" % name)
    need(after == before, "%s: the question changed the store" % name)
    low = html.lower()
    need("<script" not in low and "<img" not in low and 'href="javascript' not in low,
         "%s: markup from the question in the HTML: %r" % (name, html[:300]))
    first = ans.splitlines()[0]
    row("question", name, d.get("kind") or "answer", "%s (%.1fs)" % (first[:70], secs))


# ------------------------------------------------------------------- events

def nest(depth, leaf='"x"'):
    return '{"a":' * depth + leaf + "}" * depth


def event_cases(alice):
    a = alice
    ts = int(time.time() * 1000)

    def ev(content, extra=None, sender=a, etype="m.room.message"):
        d = {"type": etype, "sender": sender, "event_id": "$bad" + hs.rand(24),
             "origin_server_ts": ts, "unsigned": {"age": 1}}
        if content is not None:
            d["content"] = "@@C@@"
        d.update(extra or {})
        s = json.dumps(d)
        return s.replace('"@@C@@"', content) if content is not None else s

    msg = '{"msgtype":"m.text","body":%s}'
    help_ = msg % '"!help"'
    return [
        ("event without content", ev(None), "dropped"),
        ("content is a string", ev('"!help"'), "dropped"),
        ("content is an array", ev('["!help"]'), "dropped"),
        ("content is null", ev("null"), "dropped"),
        ("body missing", ev('{"msgtype":"m.text"}'), "dropped"),
        ("body is a number", ev(msg % "12345"), "dropped"),
        ("body is null", ev(msg % "null"), "dropped"),
        ("body is an object", ev(msg % '{"text":"!help"}'), "dropped"),
        ("body is an array", ev(msg % '["!help"]'), "dropped"),
        ("msgtype missing", ev('{"body":"!help"}'), "either"),
        ("msgtype is a number", ev('{"msgtype":7,"body":"!help"}'), "either"),
        ("sender missing", ev(help_, sender=None), "dropped"),
        ("sender is a number", ev(help_, {"sender": 42}), "dropped"),
        ("event_id missing", ev(help_, {"event_id": None}), "either"),
        ("event_id is an object", ev(help_, {"event_id": {"x": 1}}), "dropped"),
        ("type missing", ev(help_, etype=None), "dropped"),
        ("type is a number", ev(help_, {"type": 1}), "dropped"),
        ("origin_server_ts 1e308", ev(help_).replace('"origin_server_ts": %d' % ts,
                                                     '"origin_server_ts": 1e308'), "either"),
        ("origin_server_ts 2^70", ev(help_).replace('"origin_server_ts": %d' % ts,
                                                    '"origin_server_ts": 1180591620717411303424'),
         "either"),
        ("origin_server_ts negative", ev(help_, {"origin_server_ts": -1}), "either"),
        ("origin_server_ts a string", ev(help_, {"origin_server_ts": "now"}), "either"),
        ("m.file size 1e308", ev('{"msgtype":"m.file","body":"r.txt","url":"mxc://localhost/x",'
                                 '"info":{"size":1e308,"mimetype":"text/plain"}}'), "either"),
        ("m.file size negative, url a number",
         ev('{"msgtype":"m.file","body":"r.txt","url":5,"info":{"size":-5}}'), "either"),
        ("m.file url on another scheme",
         ev('{"msgtype":"m.file","body":"r.txt","url":"https://127.0.0.1:1/x",'
            '"info":{"mimetype":"text/plain","size":10}}'), "either"),
        ("m.file of unknown media", ev('{"msgtype":"m.file","body":"r.txt",'
                                       '"url":"mxc://localhost/nosuchmedia",'
                                       '"info":{"mimetype":"text/plain","size":10}}'), "either"),
        ("m.relates_to is a string", ev('{"msgtype":"m.text","body":"!help",'
                                        '"m.relates_to":"$x"}'), "either"),
        ("thread root id is a number", ev('{"msgtype":"m.text","body":"!help","m.relates_to":'
                                          '{"rel_type":"m.thread","event_id":12}}'), "either"),
        ("m.mentions user_ids is an object",
         ev('{"msgtype":"m.text","body":"scribe: help","m.mentions":{"user_ids":{"a":1}}}'),
         "either"),
        ("body with an escaped NUL", ev(msg % '"!help\\u0000 and more"'), "either"),
        ("body with a lone surrogate escape", ev(msg % '"!help \\ud800"'), "either"),
        ("body key twice", ev('{"msgtype":"m.text","body":"!help","body":"!help"}'), "either"),
        ("content nested 1,000 deep", ev(nest(999, help_)), "dropped"),
        ("unsigned nested 1,000 deep", ev(help_, {"unsigned": "@@U@@"})
         .replace('"@@U@@"', nest(998)), "either"),
        ("unsigned nested 5,000 deep", ev(help_, {"unsigned": "@@U@@"})
         .replace('"@@U@@"', nest(5000)), "either"),
        ("body of 60,000 characters", ev(msg % json.dumps("!who raised " + "booth " * 10000)),
         "either"),
        ("power levels 1e400 for a user", ev('{"users":{"%s":1e400,"@scribe:localhost":100},'
                                              '"users_default":-1e400}' % a,
                                              {"state_key": ""}, etype="m.room.power_levels"),
         "dropped"),
        ("power levels as strings", ev('{"users":{"%s":"100"},"users_default":"x",'
                                       '"events_default":[]}' % a, {"state_key": ""},
                                       etype="m.room.power_levels"), "dropped"),
        ("member event, membership a number", ev('{"membership":1}', {"state_key": a},
                                                 etype="m.room.member"), "dropped"),
        ("state_key an object", ev('{"name":"x"}', {"state_key": {"a": 1}},
                                   etype="m.room.name"), "dropped"),
    ]


def test(t):
    bins = binaries()
    asan, plain = bins
    db = os.path.join(t.workdir, "cli.db")

    step("records: scribe ingest")
    for what in ("xyz-7-transcript.txt", "xyz-7-summary.txt", "xyz-8-transcript.txt"):
        rc, out, err, _ = run_cli(asan, db, ["ingest", os.path.join(hs.DATA, what)])
        check(rc == 0, "ingest %s" % what)
    seen = set()
    for name, data, expect, which in record_cases():
        ingest_case(t, bins, db, name, data, expect, which, seen)
    # The same record again is a duplicate: nothing added.
    path = os.path.join(hs.DATA, "xyz-8-transcript.txt")
    before = counts(db)
    rc, out, err, _ = run_cli(asan, db, ["ingest", path])
    check(rc == 0 and b"duplicate" in out and counts(db) == before,
          "the same record twice: 'duplicate', nothing stored")
    row("record", "the same record twice", "duplicate", out.decode()[len(path) + 2:][:80])
    check(integrity(db) == "ok", "PRAGMA integrity_check ok after every record case")

    step("questions: scribe ask --json")
    before = counts(db)
    for name, text in question_cases():
        ask_case(asan, db, name, text, before)
    # Invalid UTF-8 cannot pass through str argv: give the bytes directly.
    rc, out, err, _ = run_cli(asan, db, ["ask", b"who raised \xff\xfe\xc0\xaf booth"])
    check(rc == 0 and out.strip(), "invalid UTF-8 in a question: an answer")
    check(counts(db) == before, "invalid UTF-8 in a question: the store is unchanged")
    row("question", "invalid UTF-8 bytes", "answer", out.decode("utf-8", "replace")
        .splitlines()[0][:70])
    check(integrity(db) == "ok", "PRAGMA integrity_check ok after every question")

    step("Matrix events: malformed events injected into scribe's sync")
    server = t.homeserver()
    alice = server.register("alice")
    bot = t.scribe(server)
    room = bot.room_with(alice)
    bot.ingest(alice, room, "xyz-7-transcript.txt")
    for name, raw, expect in event_cases(alice.user_id):
        eid = server.ctl("POST", "/_test/rooms/%s/inject_event" % hs.q(room),
                         {"event_b64": __import__("base64").b64encode(raw.encode()).decode()})
        # The next plain question shows the poisoned sync was handled.
        q, rs = bot.ask(alice, room, "!help", timeout=30, what="!help after: " + name)
        bot.assert_alive()
        time.sleep(0.3)
        need(len(bot.replies_to(room, q)) == 1, "%s: the next question not answered once" % name)
        # Replies scribe sent to the poison event itself (by its real id
        # when it had one).
        m = re.search(r'"event_id": "(\$bad[a-z0-9]+)"', raw)
        n = len(bot.replies_to(room, m.group(1))) if m else 0
        need(n <= 1, "%s: answered %d times" % (name, n))
        if expect == "dropped":
            need(n == 0, "%s: answered, should be dropped" % name)
        row("event", name, "answered" if n else "dropped", "%d bytes" % len(raw))
    step("after every malformed event")
    q, rs = bot.ask(alice, room, "!who raised community radio licensing", timeout=30)
    check("Lena Voss" in hs.all_text(rs), "a real question is answered well afterwards (Lena Voss)")
    rc = bot.term()
    check(rc == 0, "SIGTERM -> exit status 0")
    con = sqlite3.connect(bot.db)
    jobs = con.execute("SELECT count(*) FROM bot_jobs").fetchone()[0]
    ok = con.execute("PRAGMA integrity_check").fetchone()[0]
    con.close()
    check(jobs == 0, "no job left half done in scribe's database (%d)" % jobs)
    check(ok == "ok", "scribe's database passes PRAGMA integrity_check")

    print()
    print("%-9s %-48s %-10s %s" % ("area", "case", "outcome", "detail"))
    print("-" * 120)
    for area, case, outcome, detail in ROWS:
        print("%-9s %-48s %-10s %s" % (area, case[:48], outcome, detail[:60]))
    by = {}
    for area, _, outcome, _ in ROWS:
        by.setdefault(area, {}).setdefault(outcome, 0)
        by[area][outcome] += 1
    print("-" * 120)
    print("%d cases: %s" % (len(ROWS), "; ".join(
        "%s %s" % (a, ", ".join("%d %s" % (n, o) for o, n in sorted(d.items())))
        for a, d in by.items())))
    check(len(ROWS) >= 30, "at least 30 bad-input cases (%d)" % len(ROWS))


hs.main(test)
