#!/usr/bin/env python3
"""Security: markup from records and from users never reaches a
formatted_body unescaped (<script>, <img onerror>, javascript: links);
the access token and the password never appear in scribe's output; the
database (which holds the token) and its journal files are created mode
0600; invites are accepted only from the allowed; admin acts need the
power level; http:// is refused for any homeserver that is not loopback;
TLS is verified (a https:// URL on a plain HTTP port or on a self-signed
certificate fails with a clear message and no request gets through)."""

import html.parser
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402

EVIL = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))", '<a href="javascript:alert(2)">here</a>',
        "<iframe src=//evil.example></iframe>", "\"><svg onload=alert(3)>"]
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "code", "pre", "br", "p", "ul", "ol", "li",
                "a", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "span", "del",
                "sup", "sub", "hr", "table", "thead", "tbody", "tr", "th", "td", "mx-reply",
                "details", "summary", "font", "div", "caption", "s"}


class Tags(html.parser.HTMLParser):
    def __init__(self):
        html.parser.HTMLParser.__init__(self, convert_charrefs=True)
        self.bad = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.bad.append("<%s>" % tag)
        for k, v in attrs:
            if k.startswith("on") or k in ("style", "srcdoc", "formaction"):
                self.bad.append("%s=%r on <%s>" % (k, v, tag))
            if k in ("href", "src") and v is not None:
                scheme = v.split(":", 1)[0].strip().lower() if ":" in v else ""
                if scheme not in ("https", "http", "mailto", ""):
                    self.bad.append("%s=%r on <%s>" % (k, v, tag))

    def handle_data(self, data):
        self.text.append(data)


def html_problems(fb):
    p = Tags()
    p.feed(fb)
    p.close()
    return p.bad, "".join(p.text)


def evil_transcript(n):
    return ("XYZ Coordination Meeting #%d\n\n%d May 2023\n\n1400 UTC\n\n" % (n, n % 28 + 1) +
            ">> ANNA BERG: Welcome. Today: the booth %s and the archive %s.\n" % (EVIL[0], EVIL[1]) +
            ">> TOMAS OKAFOR: I will send the booth plan %s by Friday.\n" % EVIL[2] +
            ">> LENA VOSS: I raised the booth %s before, see %s.\n" % (EVIL[3], EVIL[4]) +
            ">> RAVI MENON: It was agreed that the booth stays %s.\n" % EVIL[5] +
            ">> ANNA BERG: Thank you all. Bye.\n")


def run_config(t, homeserver, seconds=6, extra=None):
    """scribe run with a config naming `homeserver`; returns (exit status or
    None if still running after `seconds`, output)."""
    d = os.path.join(t.workdir, "cfg-%s" % hs.rand(6))
    os.makedirs(d)
    ini = os.path.join(d, "scribe.ini")
    with open(ini, "w") as f:
        f.write("[matrix]\nhomeserver = %s\nuser_id = @scribe:localhost\npassword = %s\n"
                "[bot]\ndatabase = %s\n%s" % (homeserver, "pw-" + hs.rand(12),
                                             os.path.join(d, "s.db"), extra or ""))
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    p = subprocess.Popen([hs.scribe_binary(), "--config", ini, "run"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                         preexec_fn=hs.die_with_parent)
    try:
        rc = p.wait(seconds * hs.TIME_SCALE)
    except subprocess.TimeoutExpired:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
        rc = None
    out = p.stdout.read().decode("utf-8", "replace")
    p.stdout.close()
    return rc, out


class TLSServer:
    """A TLS listener on 127.0.0.1 with a self-signed certificate; answers
    any request it gets (so a client that skips verification would get on)
    and counts the requests that got past the handshake."""

    def __init__(self, workdir):
        self.cert = os.path.join(workdir, "cert.pem")
        self.key = os.path.join(workdir, "key.pem")
        r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", self.key, "-out", self.cert, "-days", "2",
                            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                           capture_output=True, timeout=60)
        if r.returncode != 0:
            raise hs.Skip("openssl cannot make a certificate: %s" % r.stderr[:200])
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(self.cert, self.key)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.handshakes_failed = 0
        self.requests = 0
        self.stop = False
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            try:
                c.settimeout(5)
                s = self.ctx.wrap_socket(c, server_side=True)
                data = s.recv(4096)
                if data:
                    self.requests += 1
                    body = b'{"versions":["v1.11"]}'
                    s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                              b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                s.close()
            except (OSError, ssl.SSLError):
                self.handshakes_failed += 1
                c.close()

    def close(self):
        self.stop = True
        self.sock.close()


SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|REPLACE|MATCH|WHERE|ORDER BY|LIMIT)\b")


def sql_built_from_strings():
    """Places in the C sources that would build SQL or an FTS query from
    text: sqlite3_mprintf and friends, or a printf-style format holding
    SQL words and a %s/%q/%Q/%w. Queries must bind parameters instead."""
    found = []
    for d in ("storage", "commands", "bot"):
        base = os.path.join(hs.ROOT, d)
        for f in sorted(os.listdir(base)):
            if not f.endswith(".c"):
                continue
            text = open(os.path.join(base, f), encoding="utf-8", errors="replace").read()
            for m in re.finditer(r"\bsqlite3_(v?mprintf|snprintf|str_appendf)\b", text):
                found.append("%s/%s:%d %s" % (d, f, text.count("\n", 0, m.start()) + 1, m.group(0)))
            for m in re.finditer(r"\b\w*printf\w*\s*\(([^;]*?)\)\s*;", text, re.S):
                fmt = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
                if SQL_WORDS.search(fmt) and re.search(r"%[-0-9.]*[sqQw]", fmt):
                    found.append("%s/%s:%d %s" % (d, f, text.count("\n", 0, m.start()) + 1,
                                                  fmt[:80]))
    return found


def test(t):
    os.umask(0o022)
    step("SQL and FTS5 only through bound parameters (the sources)")
    built = sql_built_from_strings()
    check(not built, "no SQL or FTS query built by formatting text into it (%s)" % built[:3])
    server = t.homeserver()
    alice = server.register("alice")
    bob = server.register("bob")
    mallory = server.register("mallory")
    d = server.ctl("POST", "/_test/register", {"username": "eve", "password": "pw-eve-" + hs.rand(8),
                                               "displayname": "<img src=x onerror=alert(9)>"})
    eve = hs.User(server, d["user_id"], d["access_token"], d["device_id"], d["password"])
    bot = t.scribe(server)
    room = bot.room_with(alice)
    for u in (bob, eve):
        alice.invite(room, u.user_id)
        u.join(room)

    step("markup in records (as text and as a file) and in user text")
    rec1 = alice.say(room, evil_transcript(41))
    bot.wait_reply(room, rec1, timeout=60, what="the recap of the record with markup")
    rec2 = alice.send_file(room, evil_transcript(42).encode(), "evil<img src=x onerror=alert(4)>.txt")
    bot.wait_reply(room, rec2, timeout=60, what="the recap of the file with markup")
    asks = ["!who raised the booth", "!actions", "!recap #41", "!decisions",
            "!what did %s say about the booth" % EVIL[0], "!search booth",
            "!action Lena Voss: %s %s" % (EVIL[1], EVIL[2]), "!who attended #42",
            "!iam %s" % EVIL[5], "!meetings about %s" % EVIL[3], "!help %s" % EVIL[4]]
    for a in asks:
        bot.ask(alice, room, a, timeout=30)
    bot.ask(eve, room, "!help", timeout=30)
    sent = bot.notices(room)
    check(len(sent) >= len(asks) + 3, "%d notices from scribe to look at" % len(sent))
    escaped_seen = 0
    for ev in sent:
        c = ev["content"]
        fb = c.get("formatted_body")
        if fb is None:
            continue
        if c.get("format") != "org.matrix.custom.html":
            raise hs.Failure("formatted_body without format org.matrix.custom.html")
        bad, text = html_problems(fb)
        if bad:
            raise hs.Failure("unescaped markup in formatted_body of a reply to %s: %s\n%s"
                             % (hs.relates_to(ev), bad, fb[:600]))
        low = fb.lower()
        if "<script" in low or "<img" in low or "<iframe" in low or "<svg" in low:
            raise hs.Failure("raw tag in formatted_body: %s" % fb[:600])
        if "&lt;script&gt;" in fb or "&lt;img" in fb:
            escaped_seen += 1
    check(escaped_seen >= 3, "markup reached %d formatted bodies, always escaped (none raw, no on*"
          " attribute, no javascript: link)" % escaped_seen)

    step("admin acts need the power level")
    check(alice.power_levels(room)["users"].get(bob.user_id, 0) == 0, "bob has power level 0")
    codes = [c for c in re.findall(r"\bA(\d+)\b", hs.all_text(sent))]
    code = "A" + codes[0]
    q, rs = bot.ask(bob, room, "!done %s" % code, timeout=30)
    con_text = hs.all_text(rs)
    check(re.search(r"only|admin|owner|power|not allowed|cannot", con_text, re.I) is not None
          and " done (was" not in con_text, "bob (power 0) cannot close %s: %r" % (code, con_text[:120]))
    q, rs = bot.ask(bob, room, "!forget #41", timeout=30)
    check(re.search(r"only|admin|power|not allowed|cannot|permission", hs.all_text(rs), re.I)
          is not None, "bob (power 0) cannot forget #41: %r" % hs.all_text(rs)[:120])
    alice.set_power(room, bob.user_id, 49)
    time.sleep(1)
    q, rs = bot.ask(bob, room, "!forget #41", timeout=30)
    check(re.search(r"only|admin|power|not allowed|cannot|permission", hs.all_text(rs), re.I)
          is not None, "bob at power 49 still cannot forget #41")
    q, rs = bot.ask(alice, room, "!recap #41", timeout=30)
    check("#41" in hs.all_text(rs) and "no meeting" not in hs.all_text(rs).lower(),
          "#41 is still there")
    alice.set_power(room, bob.user_id, 50)
    time.sleep(1)
    q, rs = bot.ask(bob, room, "!forget #41", timeout=30)
    q, rs = bot.ask(alice, room, "!recap #41", timeout=30)
    check(re.search(r"no meeting|not find|don't have|do not have", hs.all_text(rs), re.I)
          is not None, "at power 50 bob's forget is accepted: %r" % hs.all_text(rs)[:100])

    step("invites only from the allowed")
    bad_room = mallory.create_room(name="Mallory's", invite=[bot.user_id])
    hs.wait_for(lambda: server.membership(bad_room, bot.user_id) == "leave", 20, 0.1,
                "scribe to reject mallory's invite")
    check(not [e for e in server.events(bad_room) if e["type"] == "m.room.member"
               and e["state_key"] == bot.user_id and e["content"].get("membership") == "join"],
          "mallory's invite rejected, never joined")

    step("files created by scribe: mode 0600")
    rc = bot.term()
    check(rc == 0, "SIGTERM -> exit status 0")
    import sqlite3
    con = sqlite3.connect(bot.db)
    tok_in_db = con.execute("SELECT count(*) FROM bot_kv WHERE key='access_token'").fetchone()[0]
    con.close()
    for suffix in ("", "-wal", "-shm"):
        p = bot.db + suffix
        if os.path.exists(p):
            mode = os.stat(p).st_mode & 0o777
            check(mode & 0o077 == 0, "%s: mode %03o (umask 022; %s)" % (
                os.path.basename(p), mode, "holds the access token" if tok_in_db and not suffix
                else "the database's journal" if suffix else "the database"))
    cli_db = os.path.join(t.workdir, "cli.db")
    subprocess.run([hs.scribe_binary(), "--db", cli_db, "ingest", os.path.join(hs.DATA,
                    "xyz-7-transcript.txt")], capture_output=True, timeout=120 * hs.TIME_SCALE)
    mode = os.stat(cli_db).st_mode & 0o777
    check(mode & 0o077 == 0, "a database made by `scribe ingest`: mode %03o" % mode)

    step("secrets never in scribe's output")
    bot.start()
    for suffix in ("-wal", "-shm"):
        p = bot.db + suffix
        if os.path.exists(p):
            mode = os.stat(p).st_mode & 0o777
            check(mode & 0o077 == 0, "%s while scribe runs: mode %03o" % (os.path.basename(p), mode))
    server.expire(bot.user_id)                 # log in again: one more token issued
    q, rs = bot.ask(alice, room, "!help", timeout=60)
    bot.term()
    log = bot.log_text()
    toks = server.tokens(bot.user_id)["issued"]
    check(len(toks) >= 2 and len(log) > 1000, "%d tokens issued to scribe, %d bytes of log at"
          " debug level" % (len(toks), len(log)))
    leaked = [x[:10] for x in toks if x in log or x[4:] in log]
    check(not leaked, "no access token in stdout/stderr (%s)" % leaked)
    check(bot.password not in log, "no password in stdout/stderr")

    step("http:// only for loopback")
    for url in ("http://matrix.example.org", "http://127.evil.example",
                "http://127.0.0.1@evil.example", "http://localhost.evil.example:8008",
                "http://[::1].evil.example", "ftp://127.0.0.1"):
        rc, out = run_config(t, url)
        check(rc not in (None, 0) and "https://" in out and len(out.splitlines()) <= 3,
              "%s refused at start (exit %s): %r" % (url, rc, out.strip()[:100]))

    step("TLS is verified")
    rc, out = run_config(t, "https://127.0.0.1:%d" % server.port, seconds=5)
    m = re.search(r"[^\n]*(TLS handshake failed|wrong version number)[^\n]*", out)
    check(m is not None, "https:// on a plain HTTP port: a clear TLS error (%r)"
          % (m.group(0)[-200:] if m else re.sub(r"\s+", " ", out.strip())[-200:]))
    tls = TLSServer(t.workdir)
    try:
        rc, out = run_config(t, "https://127.0.0.1:%d" % tls.port, seconds=5)
        check(re.search(r"certificate|ssl|tls", out, re.I) is not None,
              "self-signed certificate: a clear error (%r)" % re.sub(r"\s+", " ",
                                                                     out.strip())[-160:])
        check(tls.requests == 0 and tls.handshakes_failed >= 1,
              "no request got past the TLS handshake (%d refused handshakes)"
              % tls.handshakes_failed)
    finally:
        tls.close()


hs.main(test)
