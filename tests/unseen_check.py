#!/usr/bin/env python3
"""tests/unseen_check.py -- scribe on records it was not tuned on.

Ingests every fixture of tests/data/records that has a `.expected` file (each
into its own fresh database) and the three records of examples/ (together, as
`make run` does), reads `scribe export --json` and compares with the expected
JSON: kind, group, number, date, time, speakers with exact turn counts and
labels, unattributed turns, apologies, participants, actions (owner + quote
overlap), next meeting, agenda. Bad inputs (empty, binary, NUL, no meeting
shape) must be refused: non-zero exit, a reason on stderr, nothing stored.

Ratchet like tests/acceptance.py: tests/unseen-levels.json holds the lowest
figure each metric may show; a drop fails; --update (or
SCRIBE_ACCEPT_UPDATE=1) raises the levels, never lowers them.
Exit: 0 pass, 1 a figure below its level, 2 setup error (no build/scribe).
Python 3 standard library only.
"""

import glob
import json
import os
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import acceptance_lib as A  # noqa: E402  (shared helpers: matching, scribe runner, ratchet)

ROOT = A.ROOT
LEVELS_FILE = os.path.join(ROOT, "tests", "unseen-levels.json")
FIXDIR = os.path.join(ROOT, "tests", "data", "records")
EXDIR = os.path.join(ROOT, "tests", "data", "examples")
MOJIBAKE = ("\u00c3", "\u00e2\u20ac", "\ufffd", "\u00c2\u00a0")

COLS = [("ok", "ingest_ok"), ("rej", "rejected"), ("kind", "kind"), ("grp", "group"),
        ("num", "number"), ("nval", "number_value"), ("date", "date"), ("time", "time"),
        ("spk", "speakers_found"), ("turns", "turns_exact"), ("lbl", "labels_exact"),
        ("sprec", "speakers_precision"), ("unat", "unattributed"), ("apol", "apologies"),
        ("part", "participants"), ("aff", "affiliations"), ("actR", "actions_recall"),
        ("actP", "actions_precision"), ("decR", "decisions_recall"),
        ("decP", "decisions_precision"), ("next", "next_meeting"), ("agnd", "agenda"),
        ("text", "must_contain"), ("utf8", "no_mojibake")]


def names_of(xs):
    out = []
    for x in xs or []:
        if isinstance(x, dict):
            x = x.get("name") or x.get("text") or ""
        if x:
            out.append(str(x))
    return out


def recall_names(want, got):
    if not want:
        return None
    return sum(1 for w in want if any(A.name_match(w, g) or A.fold(w) == A.fold(g) for g in got)) / len(want)


def next_quotes(nm):
    if isinstance(nm, dict):
        nm = [nm]
    out = []
    for n in nm or []:
        if isinstance(n, dict):
            out += [n.get("quote") or "", n.get("when") or ""]
        elif isinstance(n, str):
            out.append(n)
    return [q for q in out if q]


def agenda_texts(ag):
    out = []
    for a in ag or []:
        if isinstance(a, dict):
            a = a.get("text") or a.get("quote") or ""
        if a:
            out.append(str(a))
    return out


def compare(exp, m, rec, actions, loc, dump):
    """Figures for one expected record against its meeting in the export."""
    fig = {}
    fig["kind"] = float(rec.get("kind") == exp["kind"])
    accepted = [exp["group"]] + list(exp.get("group_any") or [])
    fig["group"] = float(any(A.group_match(g, m.get("group")) for g in accepted))
    fig["number"] = float(A.fold(str(m.get("number"))) == A.fold(str(exp.get("number")))
                          if exp.get("number") is not None else m.get("number") in (None, ""))
    fig["number_value"] = float(m.get("number_value") == exp.get("number_value"))
    fig["date"] = float((m.get("date") or None) == exp.get("date"))
    fig["time"] = float((m.get("time_utc") or None) == exp.get("time_utc")
                        # a summary carries no time; its meeting may have one from the transcript
                        or (exp.get("time_utc") is None and exp["kind"] == "summary"
                            and len(m.get("records") or []) > 1))
    if exp["kind"] == "transcript":
        rows, extra = A.compare_speakers(exp.get("speakers") or [], m.get("speakers"))
        sf = A.speaker_figures(rows, extra)
        for k in ("speakers_found", "turns_exact", "labels_exact", "speakers_precision"):
            if sf[k] is not None:
                fig[k] = sf[k]
        su = rec.get("unattributed", m.get("unattributed"))
        fig["unattributed"] = float(su == exp.get("unattributed", 0))
    if exp.get("apologies"):
        fig["apologies"] = recall_names(exp["apologies"], names_of(m.get("apologies")))
    if exp.get("participants"):
        got = [p for p in m.get("participants") or [] if isinstance(p, dict)]
        fig["participants"] = recall_names([p["name"] for p in exp["participants"]], names_of(got))
        aff_ok = 0
        for p in exp["participants"]:
            g = next((x for x in got if A.name_match(x.get("name"), p["name"])), None)
            if g is not None and A.fold(g.get("affiliation") or "") == A.fold(p.get("affiliation") or ""):
                aff_ok += 1
        fig["affiliations"] = aff_ok / len(exp["participants"])
    gold_actions = [{"owner": a["owners"], "evidence": a["quote"],
                     "explicitness": "implicit" if a.get("implicit") else "explicit"}
                    for a in exp.get("actions") or []]
    af, detail = A.action_figures(actions, gold_actions, loc)
    fig.update(af)
    if exp.get("decisions"):
        # as the acceptance test scores them: each expected decision is
        # the words it stands on; scribe's are its meeting's whose quote
        # stands in this record (a meeting may have a transcript and a
        # summary)
        flat = " ".join(loc.text.split())
        mine = [d for d in m.get("decisions") or [] if isinstance(d, dict) and
                " ".join((d.get("quote") or d.get("text") or "").split()) in flat]
        df, _ = A.decision_figures(mine, [{"evidence": q} for q in exp["decisions"]], loc)
        fig.update(df)
    if exp.get("next_meeting"):
        qs = next_quotes(m.get("next_meeting"))
        fig["next_meeting"] = float(any(A.quotes_overlap(q, exp["next_meeting"]) for q in qs))
    if exp.get("agenda"):
        got = agenda_texts(m.get("agenda"))
        fig["agenda"] = sum(1 for a in exp["agenda"]
                            if any(A.fold(a) in A.fold(g) or A.fold(g) in A.fold(a) and len(A.words(g)) >= 2
                                   for g in got)) / len(exp["agenda"])
    if exp.get("must_contain"):
        fig["must_contain"] = sum(1 for s in exp["must_contain"] if s in dump) / len(exp["must_contain"])
    fig["no_mojibake"] = float(not any(b in dump for b in MOJIBAKE))
    return fig, detail


def load_expected(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cell(v):
    if v is None:
        return "-"
    if v >= 1 - 1e-9:
        return "1"
    if v <= 1e-9:
        return "0"
    return ("%.2f" % v).lstrip("0")


def notes_for(exp, m, rec, fig, detail):
    """A few words on what is wrong, for the lines under the table."""
    out = []
    if fig.get("date") == 0:
        out.append("date %r (want %r)" % (m.get("date"), exp.get("date")))
    if fig.get("number") == 0 or fig.get("number_value") == 0:
        out.append("number %r/%r (want %r/%r)" % (m.get("number"), m.get("number_value"),
                                                  exp.get("number"), exp.get("number_value")))
    if fig.get("group") == 0:
        out.append("group %r" % m.get("group"))
    if fig.get("kind") == 0:
        out.append("kind %r" % rec.get("kind"))
    if fig.get("time") == 0:
        out.append("time %r (want %r)" % (m.get("time_utc"), exp.get("time_utc")))
    if exp["kind"] == "transcript" and (fig.get("turns_exact", 1) < 1 or fig.get("speakers_precision", 1) < 1
                                        or fig.get("labels_exact", 1) < 1):
        got = ", ".join("%s %s%s" % (s.get("name"), s.get("turns"),
                                     "[%s]" % "|".join(A.as_list(s.get("labels"))))
                        for s in m.get("speakers") or [] if isinstance(s, dict))
        want = ", ".join("%s %d[%s]" % (s["name"], s["turns"], "|".join(s["labels"])) for s in exp["speakers"])
        out.append("speakers %s (want %s)" % (got or "none", want))
    if fig.get("unattributed") == 0:
        out.append("unattributed %s (want %d)" % (A.fmt(rec.get("unattributed", m.get("unattributed"))),
                                                  exp.get("unattributed", 0)))
    corr, nsa, nfound, nexp, missed, wrong = detail
    for g in missed:
        out.append("missed action %s: %s" % ("/".join(g["owner"]), g["evidence"][:50]))
    for a in wrong[:3]:
        out.append("extra action %s: %s" % ("/".join(A.action_owners(a)), A.fold(a.get("quote") or a.get("text"))[:50]))
    return out


def main(argv):
    if not (os.path.isfile(A.SCRIBE) and os.access(A.SCRIBE, os.X_OK)):
        print("ERROR: %s is missing or not executable: run `make` first" % A.SCRIBE)
        return 2
    figures, table, notes = {}, [], []
    tmp = tempfile.mkdtemp(prefix="scribe-unseen-")
    print("scribe unseen-records check: %s" % os.path.relpath(A.SCRIBE, ROOT))

    # ---- fixtures, one database each
    for ep in sorted(glob.glob(os.path.join(FIXDIR, "*.expected"))):
        exp = load_expected(ep)
        name = exp["file"]
        path = os.path.join(FIXDIR, name)
        db = os.path.join(tmp, name + ".db")
        sc = A.Scribe(db)
        rc, out, err, dt = sc.run("ingest", path)
        meetings = sc.export()
        if exp.get("reject"):
            one_line = bool(A.first_line(err))
            ok = 0 < rc < 128 and one_line and not meetings
            fig = {"rejected": float(ok)}
            if not ok:
                notes.append("%s: want a refusal; got exit %d, stderr %r, %d meeting(s) stored"
                             % (name, rc, A.first_line(err), len(meetings)))
            figures[name] = fig
            table.append((name, fig))
            continue
        fig = {"ingest_ok": float(rc == 0)}
        if rc != 0:
            notes.append("%s: ingest failed (exit %d): %s" % (name, rc, A.first_line(err) or A.first_line(out)))
        text = A.read_record_text(path)
        loc = A.Located(text)
        sha = A.sha256_file(path)
        m = A.meeting_of(meetings, sha) or (meetings[0] if len(meetings) == 1 else None) or {}
        rec = A.record_entry(m, sha) or {}
        dump = json.dumps(meetings, ensure_ascii=False)
        f2, detail = compare(exp, m, rec, [a for a in m.get("actions") or [] if isinstance(a, dict)], loc, dump)
        fig.update(f2)
        figures[name] = {k: round(v, 4) for k, v in fig.items() if v is not None}
        table.append((name, fig))
        for n in notes_for(exp, m, rec, fig, detail)[:6]:
            notes.append("%s: %s" % (name, n))

    # ---- examples/, together in one database
    exps = [load_expected(p) for p in sorted(glob.glob(os.path.join(EXDIR, "*.expected")))]
    if exps:
        sc = A.Scribe(os.path.join(tmp, "examples.db"))
        paths, shas, locs, ingest_rc = {}, {}, {}, {}
        for e in exps:
            p = os.path.join(ROOT, e.get("source") or os.path.join("examples", e["file"]))
            paths[e["file"]] = p
            shas[e["file"]] = A.sha256_file(p)
            locs[e["file"]] = A.Located(A.read_record_text(p))
            rc, out, err, dt = sc.run("ingest", p)
            ingest_rc[e["file"]] = rc
            if rc != 0:
                notes.append("examples/%s: ingest failed (exit %d): %s" % (e["file"], rc, A.first_line(err)))
        meetings = sc.export()
        dump = json.dumps(meetings, ensure_ascii=False)
        mtg = {e["file"]: A.meeting_of(meetings, shas[e["file"]]) for e in exps}
        assigned, seen = {}, set()
        for e in exps:
            m = mtg[e["file"]]
            if m is None or id(m) in seen:
                continue
            seen.add(id(m))
            mine = {shas[x["file"]]: locs[x["file"]] for x in exps if mtg[x["file"]] is m}
            split = A.assign_actions(m, mine)
            for x in exps:
                if mtg[x["file"]] is m:
                    assigned[x["file"]] = split.get(shas[x["file"]], [])
        for e in exps:
            name = "examples/" + e["file"]
            m = mtg[e["file"]] or {}
            rec = A.record_entry(m, shas[e["file"]]) or {}
            fig = {"ingest_ok": float(ingest_rc[e["file"]] == 0)}
            f2, detail = compare(e, m, rec, assigned.get(e["file"], []), locs[e["file"]], dump)
            fig.update(f2)
            figures[name] = {k: round(v, 4) for k, v in fig.items() if v is not None}
            table.append((name, fig))
            for n in notes_for(e, m, rec, fig, detail)[:6]:
                notes.append("%s: %s" % (name, n))
        # the transcript and the summary of #14 are one meeting
        t14, s14 = mtg.get("oscg-14-transcript.txt"), mtg.get("oscg-14-summary.txt")
        t15 = mtg.get("oscg-15-transcript.txt")
        same = t14 is not None and t14 is s14
        apart = t15 is not None and t15 is not t14
        figures["examples"] = {"same_meeting_14": float(same), "separate_meeting_15": float(apart),
                               "meetings_count": float(len(meetings) == 2)}
        print("examples: %d meeting(s); #14 transcript + summary one meeting: %s; #15 separate: %s"
              % (len(meetings), "yes" if same else "NO", "yes" if apart else "NO"))

    # ---- table
    used = [(h, k) for h, k in COLS if any(k in f for _, f in table)]
    w = max(len(n) for n, _ in table) if table else 10
    w = min(w, 46)
    print()
    print("%-*s " % (w, "record") + " ".join("%5s" % h for h, _ in used))
    for name, fig in table:
        print("%-*s " % (w, name[:w]) + " ".join("%5s" % cell(fig.get(k)) for _, k in used))
    # totals per column (mean over records where the metric applies)
    means = []
    for h, k in used:
        vals = [f[k] for _, f in table if f.get(k) is not None]
        means.append(sum(vals) / len(vals) if vals else None)
    print("%-*s " % (w, "mean") + " ".join("%5s" % cell(v) for v in means))
    if notes:
        print()
        print("what differs:")
        for n in notes[:80]:
            print("  " + n)
        if len(notes) > 80:
            print("  … and %d more" % (len(notes) - 80))
    try:
        for n in os.listdir(tmp):
            os.unlink(os.path.join(tmp, n))
        os.rmdir(tmp)
    except OSError:
        pass
    return A.finish(figures, LEVELS_FILE, argv,
                    "Minimum figures reached by tests/unseen_check.py; raise with --update, never lower by hand.")


def init_levels():
    """Every metric at 0, from the expected files (used once to create the file)."""
    figs = {}
    for ep in sorted(glob.glob(os.path.join(FIXDIR, "*.expected"))):
        e = load_expected(ep)
        figs[e["file"]] = {k: 0 for k in metric_names(e)}
    for ep in sorted(glob.glob(os.path.join(EXDIR, "*.expected"))):
        e = load_expected(ep)
        figs["examples/" + e["file"]] = {k: 0 for k in metric_names(e)}
    figs["examples"] = {"same_meeting_14": 0, "separate_meeting_15": 0, "meetings_count": 0}
    A.raise_levels(figs, {}, LEVELS_FILE,
                   "Minimum figures reached by tests/unseen_check.py; raise with --update, never lower by hand.")
    print("wrote %s" % LEVELS_FILE)


def metric_names(e):
    if e.get("reject"):
        return ["rejected"]
    ms = ["ingest_ok", "kind", "group", "number", "number_value", "date", "time"]
    if e["kind"] == "transcript":
        ms += ["speakers_found", "turns_exact", "labels_exact", "speakers_precision", "unattributed"]
    if e.get("apologies"):
        ms.append("apologies")
    if e.get("participants"):
        ms += ["participants", "affiliations"]
    ms += ["actions_precision", "actions_recall"]
    if e.get("decisions"):
        ms += ["decisions_precision", "decisions_recall"]
    if e.get("next_meeting"):
        ms.append("next_meeting")
    if e.get("agenda"):
        ms.append("agenda")
    if e.get("must_contain"):
        ms.append("must_contain")
    ms.append("no_mojibake")
    return ms


if __name__ == "__main__":
    if "--init-levels" in sys.argv:
        init_levels()
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
