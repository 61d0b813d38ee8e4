#!/usr/bin/env python3
"""tests/acceptance.py -- scribe on the real records, compared with gold.

Ingests every record of ../shared/records (or $SCRIBE_SHARED/records) into a
fresh database with build/scribe, reads `export --json` and `ask ... --json`,
compares with ../shared/gold and prints, per record: meeting identity, speakers
and turn counts, unattributed turns, explicit-action and decision precision and
recall and who-raised top-1; then the cross-meeting questions (CROSS.json) and whether the
transcript and the summary of one meeting became one meeting.

Ratchet: tests/acceptance-levels.json holds the lowest figure each metric may
show. The test fails when a figure drops below its level. With --update (or
SCRIBE_ACCEPT_UPDATE=1) levels are raised to the current figures; they are
never lowered.

Exit: 0 pass (or SKIP when ../shared is absent), 1 a figure below its level,
2 setup error (no build/scribe, unreadable gold).
This file is the driver (which records, which questions, what is printed);
the scoring and matching helpers live in tests/acceptance_lib.py.
Python 3 standard library only.
"""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acceptance_lib import (  # noqa: E402
    LEVELS_FILE, ROLE_KEYS, ROOT, SCRIBE, Located, Scribe, action_figures, decision_figures,
    action_matches, action_owners, as_list, assign_actions, compare_speakers,
    cross_kind, cross_metric_names, finish, first_line, fmt, fold, group_match,
    meeting_of, name_match, raise_levels, read_record_text, record_entry,
    sha256_file, speaker_figures, who_raised_top)

# --------------------------------------------------------------------------
# main

def find_shared():
    env = os.environ.get("SCRIBE_SHARED")
    # $SCRIBE_SHARED, when set, is the only place looked at
    cands = [env] if env else [os.path.join(ROOT, "..", "shared")]
    for c in cands:
        if c and os.path.isdir(os.path.join(c, "records")) and os.path.isdir(os.path.join(c, "gold")):
            return os.path.abspath(c)
    return None


def main(argv):
    shared = find_shared()
    if not shared:
        print("SKIP: ../shared not present (fresh clone)")
        return 0
    if not (os.path.isfile(SCRIBE) and os.access(SCRIBE, os.X_OK)):
        print("ERROR: %s is missing or not executable: run `make` first" % SCRIBE)
        return 2

    recdir, golddir = os.path.join(shared, "records"), os.path.join(shared, "gold")
    records = sorted(f for f in os.listdir(recdir) if f.endswith(".txt"))
    gold = {}
    for f in records:
        gp = os.path.join(golddir, f[:-4] + ".json")
        try:
            with open(gp, encoding="utf-8") as fh:
                gold[f] = json.load(fh)
        except (OSError, ValueError) as e:
            print("ERROR: gold for %s unreadable: %s" % (f, e))
            return 2
    try:
        with open(os.path.join(golddir, "CROSS.json"), encoding="utf-8") as fh:
            cross = json.load(fh)
    except (OSError, ValueError):
        cross = {"questions": []}

    tmp = tempfile.mkdtemp(prefix="scribe-accept-")
    db = os.path.join(tmp, "accept.db")
    sc = Scribe(db)
    figures = {}
    texts, shas, locs, ingest = {}, {}, {}, {}

    print("scribe acceptance: %s, %d records from %s" % (os.path.relpath(SCRIBE, ROOT), len(records), shared))
    print()
    total_t = 0.0
    for f in records:
        path = os.path.join(recdir, f)
        texts[f] = read_record_text(path)
        shas[f] = sha256_file(path)
        locs[f] = Located(texts[f])
        rc, out, err, dt = sc.run("ingest", path)
        total_t += dt
        ingest[f] = (rc, first_line(out) if rc == 0 else first_line(err) or first_line(out), dt)
        print("ingest %-28s %s  %.3fs  %s" % (f, "ok  " if rc == 0 else "FAIL(exit %d)" % rc, dt, ingest[f][1]))
    print("ingest total %.3fs (one process per record)" % total_t)

    # the same record again: recognised, not stored twice
    rc, out, err, _ = sc.run("ingest", os.path.join(recdir, records[0]))
    dup_ok = 1.0 if rc == 0 and "duplicate" in (out + err).decode("utf-8", "replace").lower() else 0.0

    meetings = sc.export()
    print("export: %d meeting(s)" % len(meetings))
    mtg = {f: meeting_of(meetings, shas[f]) for f in records}

    # actions per record
    assigned = {}
    seen = set()
    for f in records:
        m = mtg[f]
        if m is None or id(m) in seen:
            continue
        seen.add(id(m))
        mine = {shas[g]: locs[g] for g in records if mtg[g] is m}
        split = assign_actions(m, mine)
        for g in records:
            if mtg[g] is m:
                assigned[g] = split.get(shas[g], [])

    ask_cache = {}

    def ask(q):
        if q not in ask_cache:
            ask_cache[q] = sc.ask(q)
        return ask_cache[q]

    for f in records:
        g, m = gold[f], mtg[f]
        fig = {"ingest_ok": 1.0 if ingest[f][0] == 0 else 0.0}
        print()
        print("=" * 78)
        print("%s  (%s)  gold: %s #%s, %s" % (f, g.get("kind"), g.get("group"), g.get("number"), g.get("date")))
        if m is None:
            print("  no meeting in export holds this record (sha256 %s…)" % shas[f][:12])
            m = {}
        rec = record_entry(m, shas[f]) or {}
        # identity
        gm = group_match(g.get("group", ""), m.get("group"))
        nm = str(m.get("number")) == str(g.get("number")) if m else False
        dm = m.get("date") == g.get("date") if m else False
        tm = (m.get("time_utc") or None) == (g.get("time_utc") or None) if m else False
        km = rec.get("kind") == g.get("kind")
        fig.update(group=float(gm), number=float(nm), date=float(dm), time=float(tm), kind=float(km))
        print("  identity  group %-8s %r" % ("ok" if gm else "WRONG", m.get("group")))
        print("            number %-7s %r (gold %r)" % ("ok" if nm else "WRONG", m.get("number"), g.get("number")))
        print("            date %-9s %r (gold %r)   time %s %r (gold %r)   kind %s"
              % ("ok" if dm else "WRONG", m.get("date"), g.get("date"), "ok" if tm else "WRONG",
                 m.get("time_utc"), g.get("time_utc"), "ok" if km else "WRONG %r" % rec.get("kind")))
        # speakers
        if g.get("speakers"):
            rows, extra = compare_speakers(g["speakers"], m.get("speakers"))
            sf = speaker_figures(rows, extra)
            fig.update(sf)
            print("  speakers  gold %d, scribe %d: found %s, names %s, turns exact %s, labels %s, precision %s"
                  % (len(rows), len([s for s in m.get("speakers") or []]), fmt(sf["speakers_found"]),
                     fmt(sf["speaker_names_exact"]), fmt(sf["turns_exact"]), fmt(sf["labels_exact"]),
                     fmt(sf["speakers_precision"])))
            print("     %-18s %5s %6s  %-24s %s" % ("gold speaker", "gold", "scribe", "scribe name", "labels (gold | scribe)"))
            for gs, ss in rows:
                st = ss.get("turns") if ss else None
                mark = "ok" if ss and st == gs["turns"] else "!!"
                print("  %s %-18s %5d %6s  %-24s %s | %s" % (
                    mark, gs["name"][:18], gs["turns"], fmt(st), (ss or {}).get("name", "-")[:24],
                    ",".join(gs.get("labels") or []), ",".join(as_list((ss or {}).get("labels")))))
            for ss in extra:
                print("  ++ %-18s %5s %6s  (not in gold) %s" % ((ss.get("name") or "?")[:18], "-",
                                                             fmt(ss.get("turns")), ",".join(as_list(ss.get("labels")))))
            gu = g.get("unattributed_turns")
            su = rec.get("unattributed", m.get("unattributed"))
            if gu is not None:
                fig["unattributed"] = 1.0 if su == gu else 0.0
                print("  unattributed turns: gold %d, scribe %s %s" % (gu, fmt(su), "ok" if su == gu else "WRONG"))
        # actions
        sa = assigned.get(f, [])
        af, (corr, nsa, nfound, nexp, missed, wrong) = action_figures(sa, g.get("actions") or [], locs[f])
        fig.update(af)
        print("  actions   explicit recall %d/%d = %s   precision %d/%d = %s"
              % (nfound, nexp, fmt(af["actions_recall"]), corr, nsa, fmt(af["actions_precision"])))
        for ga in missed:
            print("     missed: %s — %s" % (",".join(as_list(ga.get("owner"))), fold(ga.get("evidence"))[:60]))
        for a in wrong[:6]:
            print("     extra:  %s — %s" % (",".join(action_owners(a)), fold(a.get("quote") or a.get("text"))[:60]))
        if len(wrong) > 6:
            print("     extra:  … and %d more" % (len(wrong) - 6))
        # decisions
        df, (dcorr, nsd, dfound, ngd, dmissed, dwrong) = decision_figures(
            m.get("decisions") or [], g.get("decisions") or [], locs[f])
        fig.update(df)
        print("  decisions recall %d/%d = %s   precision %d/%d = %s"
              % (dfound, ngd, fmt(df["decisions_recall"]), dcorr, nsd, fmt(df["decisions_precision"])))
        for gd in dmissed:
            print("     missed: %s" % fold(gd.get("evidence"))[:70])
        for d in dwrong[:6]:
            print("     extra:  %s" % fold(d.get("quote") or d.get("text"))[:70])
        # who raised
        wr = g.get("who_raised") or []
        ok_n = 0
        misses = []
        for w in wr:
            d = ask(w["question"])
            res = d.get("results") if isinstance(d.get("results"), list) else []
            sp, present = who_raised_top(res, m)
            want = (w.get("raised_by") or [None])[0]
            if want:
                good = bool(sp) and name_match(sp, want)
            else:
                good = present
            ok_n += good
            if not good:
                misses.append("%s → %s (gold %s)" % (w["question"][:52], sp or ("in results" if present else "absent"),
                                                      want or "meeting present"))
        if wr:
            fig["who_raised_top1"] = ok_n / len(wr)
            print("  who-raised top-1: %d/%d = %s" % (ok_n, len(wr), fmt(ok_n / len(wr))))
            for s in misses:
                print("     miss: %s" % s)
        figures[f] = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in fig.items() if v is not None}

    # ------------------------------------------------------------------ cross
    print()
    print("=" * 78)
    print("cross-meeting questions (CROSS.json)")
    cf = {"duplicate_detected": dup_ok}
    by_rec_meeting = mtg
    if len(records) >= 3 and "000_1e59bea1e417987e.txt" in mtg and "002_0d47bf17ab8fb3c0.txt" in mtg:
        a, b = mtg["000_1e59bea1e417987e.txt"], mtg["002_0d47bf17ab8fb3c0.txt"]
        same = a is not None and a is b
        cf["same_meeting_000_002"] = 1.0 if same else 0.0
        print("  000 and 002 are one meeting: %s" % ("yes" if same else "NO"))
    print("  same record ingested twice recognised as duplicate: %s" % ("yes" if dup_ok else "NO"))

    def ref_action(ref):
        ga = gold.get(ref["record"], {}).get("actions") or []
        i = ref["action_index"]
        return ga[i] if 0 <= i < len(ga) else None

    for q in cross.get("questions") or []:
        qid, text = q.get("id"), q.get("question", "")
        d = ask(text)
        res = d.get("results") if isinstance(d.get("results"), list) else []
        blob = fold((d.get("answer") or "") + " " + json.dumps(res, ensure_ascii=False))
        kind = cross_kind(q)
        if kind == "actions":
            groups = q.get("duplicate_groups") or []

            def found(ref):
                ga = ref_action(ref)
                if not ga:
                    return False
                loc = locs.get(ref["record"])
                return any(action_matches(a, as_list(ga.get("owner")), ga.get("evidence", ""), loc)
                           for a in res if isinstance(a, dict))

            def found_or_dup(ref):
                if found(ref):
                    return True
                for grp in groups:
                    if any(r["record"] == ref["record"] and r["action_index"] == ref["action_index"] for r in grp):
                        return any(found(r) for r in grp)
                return False
            refs = q["expected_action_refs"]
            hit = sum(1 for r in refs if found_or_dup(r))
            bad = [r for r in q.get("must_not_include") or [] if found(r)]
            cf["%s_recall" % qid] = hit / len(refs) if refs else 1.0
            if "must_not_include" in q:
                cf["%s_excludes_done" % qid] = 0.0 if bad else 1.0
            print("  %s %-42s recall %d/%d = %s; %d listed%s" % (
                qid, text[:42], hit, len(refs), fmt(hit / len(refs) if refs else 1.0), len(res),
                ("; must-not-include present: %d" % len(bad)) if bad else
                ("; done action absent" if "must_not_include" in q else "")))
        elif kind == "who":
            exp = q["expected"]
            ok_n = 0
            for e in exp:
                m = by_rec_meeting.get(e.get("record"))
                sp, present = who_raised_top(res, m)
                ok_n += bool(e.get("speaker")) and bool(sp) and name_match(sp, e["speaker"]) \
                    or (not e.get("speaker") and present)
            cf["%s_top1" % qid] = ok_n / len(exp) if exp else 1.0
            print("  %s %-42s top-1 %d/%d" % (qid, text[:42], ok_n, len(exp)))
        elif kind == "roles":
            # Per record: every chair and facilitator the gold names appears
            # among the roles scribe gives for that record's meeting.
            want_n = got_n = 0
            for e in q["expected"]:
                m = by_rec_meeting.get(e.get("record")) or {}
                given = [r for x in res if isinstance(x, dict) and x.get("meeting_id") == m.get("id")
                         for r in x.get("roles") or []]
                for k in ROLE_KEYS:
                    for name in as_list(e.get(k)):
                        want_n += 1
                        got_n += any(name_match(r.get("name") or "", name) for r in given)
            cf["%s_roles" % qid] = got_n / want_n if want_n else 1.0
            print("  %s %-42s roles %d/%d" % (qid, text[:42], got_n, want_n))
        elif kind == "names":
            exp = q["expected"]
            hit = sum(1 for n in exp if fold(n) in blob or fold(n.split()[0]) in blob.split())
            cf["%s_names" % qid] = hit / len(exp) if exp else 1.0
            print("  %s %-42s names %d/%d" % (qid, text[:42], hit, len(exp)))
        else:
            print("  %s %-42s (not scored) %s" % (qid, text[:42], first_line(d.get("answer") or "(no answer)")[:30]))
    figures["cross"] = {k: round(v, 4) for k, v in cf.items()}

    # ------------------------------------------------------------------ table
    print()
    print("=" * 78)
    metrics = []
    for f in records:
        for k in figures[f]:
            if k not in metrics:
                metrics.append(k)
    short = [f.split("_")[0] for f in records]
    print("%-22s " % "metric" + " ".join("%6s" % s for s in short))
    for k in metrics:
        print("%-22s " % k + " ".join("%6s" % fmt(figures[f].get(k)) for f in records))
    print("%-22s " % "cross" + "  ".join("%s=%s" % (k, fmt(v)) for k, v in figures["cross"].items()))
    if sc.errors:
        print()
        print("scribe errors (%d):" % len(sc.errors))
        for e in sc.errors[:10]:
            print("  " + e)
    try:
        for n in os.listdir(tmp):
            os.unlink(os.path.join(tmp, n))
        os.rmdir(tmp)
    except OSError:
        pass
    return finish(figures, LEVELS_FILE, argv,
                  "Minimum figures reached by tests/acceptance.py on ../shared; raise with --update, never lower by hand.")


def zero_levels_from_gold(shared):
    """Write the levels file with every metric at 0 (used once to create it)."""
    figures = {}
    golddir = os.path.join(shared, "gold")
    for f in sorted(os.listdir(os.path.join(shared, "records"))):
        if not f.endswith(".txt"):
            continue
        g = json.load(open(os.path.join(golddir, f[:-4] + ".json"), encoding="utf-8"))
        ms = ["ingest_ok", "group", "number", "date", "time", "kind"]
        if g.get("speakers"):
            ms += ["speakers_found", "speaker_names_exact", "turns_exact", "labels_exact",
                   "speakers_precision", "unattributed"]
        ms += ["actions_precision", "actions_recall", "decisions_precision", "decisions_recall"]
        if g.get("who_raised"):
            ms.append("who_raised_top1")
        figures[f] = {k: 0 for k in ms}
    return figures


if __name__ == "__main__":
    if "--init-levels" in sys.argv:
        sh = find_shared()
        if not sh:
            print("SKIP: ../shared not present (fresh clone)")
            sys.exit(0)
        figs = zero_levels_from_gold(sh)
        cross = json.load(open(os.path.join(sh, "gold", "CROSS.json"), encoding="utf-8"))
        names = ["duplicate_detected", "same_meeting_000_002"]
        for q in cross.get("questions") or []:
            names += cross_metric_names(q)
        figs["cross"] = {k: 0 for k in names}
        raise_levels(figs, {}, LEVELS_FILE,
                     "Minimum figures reached by tests/acceptance.py on ../shared; raise with --update, never lower by hand.")
        print("wrote %s" % LEVELS_FILE)
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
