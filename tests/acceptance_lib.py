"""tests/acceptance_lib.py -- the scoring and matching helpers of the
acceptance test (tests/acceptance.py), shared with tests/unseen_check.py.

Owns: text folding, words and quote overlap; locating gold quotes in a
record; names, owners and group matching; running build/scribe (Scribe);
per-record comparison (speakers, explicit actions, who raised); how a
CROSS.json question is scored; and the ratchet on a levels file (load,
check, raise, finish).  Python 3 standard library only.
"""

import hashlib
import json
import os
import re
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIBE = os.environ.get("SCRIBE_BIN") or os.path.join(ROOT, "build", "scribe")
LEVELS_FILE = os.path.join(ROOT, "tests", "acceptance-levels.json")
EPS = 1e-9
TIMEOUT = 60

# --------------------------------------------------------------------------
# text helpers

_FOLD = {
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\t": " ",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
}


def fold1(s):
    """Lower case, U+00A0 -> space, U+2011 -> '-', curly quotes straight.
    Keeps the length (one char for one char) so offsets stay valid."""
    out = []
    for ch in s or "":
        ch = _FOLD.get(ch, ch)
        lo = ch.lower()
        out.append(lo if len(lo) == 1 else ch)
    return "".join(out)


def fold(s):
    return re.sub(r"\s+", " ", fold1(s)).strip()


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(s):
    return _WORD.findall(fold1(s))


def shingles(ws, n=5):
    if len(ws) < n:
        return {tuple(ws)} if ws else set()
    return {tuple(ws[i:i + n]) for i in range(len(ws) - n + 1)}


def quotes_overlap(a, b):
    """Same passage: one contains the other (>= 3 words), or a shared 5-word shingle."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return False
    sa, sb = " ".join(wa), " ".join(wb)
    if (len(wa) >= 3 and sa in sb) or (len(wb) >= 3 and sb in sa):
        return True
    if len(wa) >= 5 and len(wb) >= 5:
        return bool(shingles(wa) & shingles(wb))
    return False


class Located:
    """A record's text as words with character offsets, to find quotes in it."""

    def __init__(self, text):
        self.text = text or ""
        self.toks = [(m.group(0), m.start()) for m in _WORD.finditer(fold1(self.text))]
        self.index = {}
        for i in range(len(self.toks)):
            key = tuple(t for t, _ in self.toks[i:i + 5])
            self.index.setdefault(key, i)

    def score(self, quote):
        """How much of quote is in the text: the number of its 5-word shingles
        found (all of its words, for a quote shorter than 5 words)."""
        qw = words(quote)
        if not qw:
            return 0
        if len(qw) < 5:
            return 1 if self.find(quote) is not None else 0
        return sum(1 for j in range(len(qw) - 4) if tuple(qw[j:j + 5]) in self.index)

    def find(self, quote):
        """Character offset of quote in the text, or None."""
        qw = words(quote)
        if not qw or not self.toks:
            return None
        if len(qw) < 5:
            n = len(qw)
            for i in range(len(self.toks) - n + 1):
                if all(self.toks[i + k][0] == qw[k] for k in range(n)):
                    return self.toks[i][1]
            return None
        for j in range(len(qw) - 4):
            i = self.index.get(tuple(qw[j:j + 5]))
            if i is not None:
                return self.toks[i][1]
        return None


def read_record_text(path):
    raw = open(path, "rb").read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


# --------------------------------------------------------------------------
# names, owners

BODIES = {
    "secretariat": ["secretariat", "igf secretariat", "the secretariat", "the igf secretariat"],
    "dcs": ["dcs", "dc", "dynamic coalitions", "dynamic coalition", "all dcs", "the dcs",
            "coalitions", "the coalitions", "member coalitions", "all coalitions"],
    "dccg": ["dccg", "dc coordination group", "dynamic coalition coordination group",
             "coordination group", "the coordination group", "dc coordination call",
             "dccg members", "the group", "group", "members", "we", "all"],
    "is3c": ["is3c", "internet standards, security and safety coalition",
             "internet standards security and safety coalition"],
    "mag": ["mag", "the mag", "multistakeholder advisory group"],
}
_BODY_OF = {}
for _canon, _names in BODIES.items():
    for _n in _names:
        _BODY_OF[" ".join(words(_n))] = _canon


def norm_owner(o):
    ws = words(o)
    if ws and ws[0] == "the":
        ws = ws[1:]
    key = " ".join(ws)
    if key in _BODY_OF:
        return ("body", _BODY_OF[key])
    # "DC on X", "Coalition on X": a named coalition counts as the DCs
    if ws[:2] in (["dc", "on"], ["coalition", "on"]):
        return ("body", "dcs")
    return ("person", key)


def name_match(a, b):
    """Same person: equal after folding, or a first-name match (one side is
    one word equal to the first word of the other)."""
    wa, wb = words(a or ""), words(b or "")
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    if len(wa) == 1 or len(wb) == 1:
        return wa[0] == wb[0]
    return False


def owner_match(a, b):
    ka, kb = norm_owner(a), norm_owner(b)
    if ka[0] == "body" or kb[0] == "body":
        return ka == kb
    return name_match(ka[1], kb[1])


def owners_match(la, lb):
    return any(owner_match(a, b) for a in (la or []) for b in (lb or []))


def as_list(x):
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


def action_owners(a):
    """Owners of a scribe action (list of strings or of {name} objects)."""
    out = []
    for o in as_list(a.get("owners") if isinstance(a, dict) else None):
        if isinstance(o, dict):
            o = o.get("name") or o.get("owner") or ""
        if o:
            out.append(str(o))
    return out


def action_matches(sa, gold_owners, gold_quote, loc):
    """A scribe action matches a gold action: an owner in common and the same
    passage (quote overlap, or offsets within 300 characters)."""
    if not owners_match(action_owners(sa), gold_owners):
        return False
    sq = sa.get("quote") or sa.get("text") or ""
    if quotes_overlap(sq, gold_quote):
        return True
    if loc is not None:
        p1, p2 = loc.find(sq), loc.find(gold_quote)
        if p1 is not None and p2 is not None and abs(p1 - p2) <= 300:
            return True
    return False


def group_match(gold, got):
    """Loose: case-insensitive equal, or both name a coordination group, or the
    distinctive words of the gold group all appear in scribe's."""
    g, s = fold(gold), fold(got or "")
    if not s:
        return False
    if g == s:
        return True
    if "coordination" in g and "coordination" in s:
        return True
    stop = {"group", "meeting", "the", "of", "on", "virtual", "coordination"}
    gw = [w for w in words(g) if w not in stop]
    return bool(gw) and all(w in words(s) for w in gw)


# --------------------------------------------------------------------------
# running scribe

class Scribe:
    def __init__(self, db):
        self.db = db
        self.errors = []

    def run(self, *args, stdin=None):
        cmd = [SCRIBE, "--db", self.db] + list(args)
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return 124, b"", b"timeout after %ds" % TIMEOUT, time.monotonic() - t0
        return p.returncode, p.stdout, p.stderr, time.monotonic() - t0

    def json(self, *args):
        rc, out, err, _ = self.run(*args)
        if rc != 0:
            self.errors.append("%s: exit %d: %s" % (" ".join(args)[:60], rc,
                                                  first_line(err) or first_line(out)))
            return None
        try:
            return json.loads(out.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            self.errors.append("%s: output is not JSON (%s): %r" % (" ".join(args)[:60], e, out[:80]))
            return None

    def export(self):
        d = self.json("export", "--json")
        if isinstance(d, dict) and isinstance(d.get("meetings"), list):
            return d["meetings"]
        if d is not None:
            self.errors.append("export --json: no 'meetings' list")
        return []

    def ask(self, q):
        d = self.json("ask", q, "--json")
        return d if isinstance(d, dict) else {}


def first_line(b):
    if isinstance(b, bytes):
        b = b.decode("utf-8", "replace")
    for line in (b or "").splitlines():
        if line.strip():
            return line.strip()[:160]
    return ""


def sha256_file(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def meeting_of(meetings, sha):
    for m in meetings:
        for r in m.get("records") or []:
            if isinstance(r, dict) and (r.get("sha256") or "").lower() == sha:
                return m
    return None


def record_entry(m, sha):
    for r in (m or {}).get("records") or []:
        if isinstance(r, dict) and (r.get("sha256") or "").lower() == sha:
            return r
    return None


def result_in_meeting(res, m):
    """Does a who-raised result refer to meeting m? Accepts the meeting as an
    id, an object, or a label such as '#62' / 'DC Coordination Group #62'."""
    if not m or not isinstance(res, dict):
        return False
    mid = res.get("meeting_id")
    if isinstance(mid, int) and not isinstance(mid, bool) and m.get("id") is not None:
        return mid == m.get("id")
    mv = res.get("meeting", mid)
    if isinstance(mv, dict):
        if mv.get("id") is not None and mv.get("id") == m.get("id"):
            return True
        num = mv.get("number")
        if num is not None and str(num) == str(m.get("number")):
            return True
        if mv.get("date") and mv.get("date") == m.get("date"):
            return True
        return False
    if isinstance(mv, bool) or mv is None:
        return False
    if isinstance(mv, (int, float)):
        return mv == m.get("id")
    s = str(mv).strip()
    if s == str(m.get("id")):
        return True
    num = str(m.get("number") or "")
    if num:
        mm = re.search(r"#\s*([0-9A-Za-z]+)", s)
        if mm:
            return mm.group(1).lower() == num.lower()
        if s.lower() == num.lower() or re.search(r"\b%s\b" % re.escape(num), s):
            return True
    if m.get("date") and m.get("date") in s:
        return True
    return False


def result_speaker(res):
    sp = res.get("speaker") if isinstance(res, dict) else None
    if isinstance(sp, dict):
        sp = sp.get("name")
    return sp or None


def who_raised_top(results, m):
    """Speaker scribe names first for meeting m (first result for m that names
    a speaker), and whether m appears at all."""
    present = False
    for res in results or []:
        if result_in_meeting(res, m):
            present = True
            sp = result_speaker(res)
            if sp:
                return sp, True
    return None, present


# --------------------------------------------------------------------------
# per-record comparison

def fmt(x):
    if x is None:
        return "n/a"
    if isinstance(x, float):
        return "%.2f" % x
    return str(x)


def ratio(n, d):
    return (n / d) if d else None


def compare_speakers(gold_sp, got_sp):
    """Match gold speakers to scribe's (by name, else by a shared label).
    Returns rows and counts."""
    got = [s for s in (got_sp or []) if isinstance(s, dict)]
    used = set()
    rows = []
    for g in gold_sp:
        best = None
        for i, s in enumerate(got):
            if i in used:
                continue
            if fold(s.get("name")) == fold(g["name"]):
                best = i
                break
        if best is None:
            glabels = {fold(x) for x in g.get("labels") or []}
            for i, s in enumerate(got):
                if i in used:
                    continue
                if glabels & {fold(x) for x in as_list(s.get("labels"))} or name_match(s.get("name"), g["name"]):
                    best = i
                    break
        s = got[best] if best is not None else None
        if best is not None:
            used.add(best)
        rows.append((g, s))
    extra = [s for i, s in enumerate(got) if i not in used]
    return rows, extra


def speaker_figures(rows, extra):
    n = len(rows)
    found = sum(1 for g, s in rows if s)
    names = sum(1 for g, s in rows if s and fold(s.get("name")) == fold(g["name"]))
    turns = sum(1 for g, s in rows if s and s.get("turns") == g.get("turns"))
    labels = sum(1 for g, s in rows if s and {fold(x) for x in as_list(s.get("labels"))}
                 == {fold(x) for x in g.get("labels") or []})
    got = found + len(extra)
    return {
        "speakers_found": ratio(found, n),
        "speaker_names_exact": ratio(names, n),
        "turns_exact": ratio(turns, n),
        "labels_exact": ratio(labels, n),
        "speakers_precision": ratio(found, got) if got else 0.0,
    }


def assign_actions(m, texts):
    """Split a meeting's actions over its records: {sha: [action]}.
    texts: {sha: Located} for the meeting's records we know."""
    out = {sha: [] for sha in texts}
    recs = [r for r in (m or {}).get("records") or [] if isinstance(r, dict)]
    for a in (m or {}).get("actions") or []:
        if not isinstance(a, dict):
            continue
        target = None
        src = a.get("record") or a.get("record_sha256") or a.get("sha256")
        if isinstance(src, dict):
            src = src.get("sha256")
        if isinstance(src, str) and src.lower() in out:
            target = src.lower()
        elif src in ("transcript", "summary"):
            # the export names the kind of record the action came from
            same_kind = [(r.get("sha256") or "").lower() for r in recs if r.get("kind") == src]
            same_kind = [x for x in same_kind if x in out]
            if len(same_kind) == 1:
                target = same_kind[0]
        if target is None:
            q = a.get("quote") or ""
            best = 0
            for sha, loc in texts.items():
                sc = loc.score(q) if q else 0
                if sc > best:
                    target, best = sha, sc
        if target is None:
            want = "transcript" if a.get("speaker") else "summary"
            for r in recs:
                sha = (r.get("sha256") or "").lower()
                if sha in out and r.get("kind") == want:
                    target = sha
                    break
        if target is None and out:
            target = next(iter(out))
        if target is not None:
            out[target].append(a)
    return out


def action_figures(scribe_actions, gold_actions, loc):
    """Precision over scribe actions (matching any gold action), recall over
    gold explicit actions."""
    explicit = [g for g in gold_actions if g.get("explicitness", "explicit") == "explicit"
                and not g.get("implicit")]
    def gq(g):
        return g.get("evidence") or g.get("quote") or ""
    def go(g):
        return g.get("owner") or g.get("owners") or []
    correct = sum(1 for a in scribe_actions
                  if any(action_matches(a, go(g), gq(g), loc) for g in gold_actions))
    found = [g for g in explicit if any(action_matches(a, go(g), gq(g), loc) for a in scribe_actions)]
    missed = [g for g in explicit if g not in found]
    wrong = [a for a in scribe_actions
             if not any(action_matches(a, go(g), gq(g), loc) for g in gold_actions)]
    prec = ratio(correct, len(scribe_actions))
    if prec is None:
        prec = 0.0 if gold_actions else 1.0
    rec = ratio(len(found), len(explicit))
    if rec is None:
        rec = 1.0
    return {"actions_precision": prec, "actions_recall": rec}, \
        (correct, len(scribe_actions), len(found), len(explicit), missed, wrong)


def decision_figures(scribe_decisions, gold_decisions, loc):
    """Decisions of one record: scribe's are those of its meeting whose quote
    is in this record's text; precision over them (matching any gold
    decision's evidence), recall over the gold decisions."""
    def q(d):
        return d.get("quote") or d.get("text") or ""
    mine = [d for d in scribe_decisions if loc.score(q(d)) > 0]
    hits = [d for d in mine if any(quotes_overlap(q(d), g.get("evidence") or "") for g in gold_decisions)]
    found = [g for g in gold_decisions if any(quotes_overlap(q(d), g.get("evidence") or "") for d in mine)]
    prec = ratio(len(hits), len(mine))
    if prec is None:
        prec = 0.0 if gold_decisions else 1.0
    rec = ratio(len(found), len(gold_decisions))
    if rec is None:
        rec = 1.0
    missed = [g for g in gold_decisions if g not in found]
    wrong = [d for d in mine if d not in hits]
    return {"decisions_precision": prec, "decisions_recall": rec}, \
        (len(hits), len(mine), len(found), len(gold_decisions), missed, wrong)


# --------------------------------------------------------------------------
# ratchet

def load_levels(path):
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        return d if isinstance(d, dict) else {}
    except FileNotFoundError:
        return {}


def check_levels(figures, levels):
    """[(scope, metric, figure, level)] for figures below their level."""
    drops = []
    for scope, lv in levels.items():
        if scope.startswith("_") or not isinstance(lv, dict):
            continue
        for metric, level in lv.items():
            if not isinstance(level, (int, float)):
                continue
            fig = figures.get(scope, {}).get(metric)
            if fig is None:
                fig = 0.0
            if fig + EPS < level:
                drops.append((scope, metric, fig, level))
    return drops


def raise_levels(figures, levels, path, comment):
    changed = []
    new = {"_comment": levels.get("_comment") or comment}
    scopes = sorted(set(figures) | {k for k in levels if not k.startswith("_")})
    for scope in scopes:
        old = levels.get(scope) if isinstance(levels.get(scope), dict) else {}
        cur = figures.get(scope, {})
        merged = {}
        for metric in sorted(set(old) | set(cur)):
            o = old.get(metric, 0)
            o = o if isinstance(o, (int, float)) else 0
            c = cur.get(metric)
            c = c if isinstance(c, (int, float)) else 0
            v = max(o, round(c - 0.0005, 3) if c > o else o)
            v = max(v, 0)
            if v > o + EPS:
                changed.append((scope, metric, o, v))
            merged[metric] = v
        new[scope] = merged
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(new, f, indent=1, sort_keys=False)
        f.write("\n")
    os.replace(path + ".tmp", path)
    return changed


def want_update(argv):
    return "--update" in argv or os.environ.get("SCRIBE_ACCEPT_UPDATE") == "1"


def finish(figures, levels_path, argv, comment):
    levels = load_levels(levels_path)
    drops = check_levels(figures, levels)
    if want_update(argv):
        changed = raise_levels(figures, levels, levels_path, comment)
        print("levels raised in %s: %d" % (os.path.relpath(levels_path, ROOT), len(changed)))
        for scope, metric, o, v in changed:
            print("  %-34s %-22s %s -> %s" % (scope[:34], metric, fmt(float(o)), fmt(float(v))))
    if drops:
        print()
        print("FAIL: %d figure(s) below the level already reached (%s):"
              % (len(drops), os.path.relpath(levels_path, ROOT)))
        for scope, metric, fig, level in drops:
            print("  %-34s %-22s %s < %s" % (scope[:34], metric, fmt(float(fig)), fmt(float(level))))
        return 1
    print()
    print("PASS: no figure below its level (%s)" % os.path.relpath(levels_path, ROOT))
    return 0


# --------------------------------------------------------------------------
# cross-meeting questions

ROLE_KEYS = ("chair", "chairs", "facilitators", "co_facilitator", "co_facilitators")


def cross_kind(q):
    """How a CROSS.json question is scored: actions, who, roles, names or None."""
    text = q.get("question", "")
    if "expected_action_refs" in q:
        return "actions"
    if isinstance(q.get("expected"), list) and q["expected"] and \
            all(isinstance(x, dict) and "record" in x and any(k in x for k in ROLE_KEYS)
                for x in q["expected"]):
        return "roles"
    if text.lower().startswith("who raised") and isinstance(q.get("expected"), list):
        return "who"
    if isinstance(q.get("expected"), list) and all(isinstance(x, str) for x in q["expected"]):
        return "names"
    return None


def cross_metric_names(q):
    k, qid = cross_kind(q), q.get("id")
    if k == "actions":
        return ["%s_recall" % qid] + (["%s_excludes_done" % qid] if "must_not_include" in q else [])
    if k == "who":
        return ["%s_top1" % qid]
    if k == "roles":
        return ["%s_roles" % qid]
    if k == "names":
        return ["%s_names" % qid]
    return []
