#!/usr/bin/env bash
# End-to-end: the real vecscope binary in tmux against an embedded PostgreSQL with the fixtures, driven as a
# person would (send-keys) and read off the screen (capture-pane). Prints "N passed, M failed".
set -uo pipefail
BIN=${VECSCOPE_BIN:?set VECSCOPE_BIN to the vecscope executable}
VENDOR_HOME=${VECSCOPE_HOME:?set VECSCOPE_HOME (the vendored PostgreSQL and model live there)}
root=$(mktemp -d /tmp/vecscope-e2e.XXXXXX); chmod 755 "$root"
ln -s "$VENDOR_HOME/vendor" "$root/vendor"
export VECSCOPE_HOME="$root"
unset DATABASE_URL
session="vecscope-e2e-$$"
# A private tmux server: the session gets this environment, not that of a tmux server the user already runs.
tmux() { command tmux -L "$session" "$@"; }
passed=0; failed=0
cleanup() {
  tmux kill-server 2>/dev/null
  "$BIN" db standby stop >/dev/null 2>&1
  "$BIN" db stop >/dev/null 2>&1
  rm -rf "$root"
}
trap cleanup EXIT

screen() { tmux capture-pane -t "$session" -p; }
check() {  # check NAME PATTERN [TIMEOUT]: waits until the screen matches
  local name=$1 pattern=$2 deadline=$(( $(date +%s) + ${3:-20} ))
  while [ "$(date +%s)" -le "$deadline" ]; do
    if screen | grep -qE -- "$pattern"; then echo "ok   $name"; passed=$((passed + 1)); return 0; fi
    sleep 0.5
  done
  echo "FAIL $name (no /$pattern/ on screen)"; screen | sed 's/^/     | /'; failed=$((failed + 1)); return 1
}

sweep_labels() {  # the sweep table's values that have no label on the chart (empty: every point is labelled)
  screen | python3 -c '
import re, sys
lines = sys.stdin.read().splitlines()
head = next((i for i, l in enumerate(lines) if re.search(r"(ef|prb) recall +p50 +p95", l)), None)
if head is None: print("no-table"); sys.exit()
# The table starts 5 columns before its knob header ends (a mark, the value right-aligned in 4); a chart label that
# ends just left of the table must not move this (a label 20 touching the gap hid the point 10 beside it).
col = re.search(r"(ef|prb) recall", lines[head]).end(1) - 5
values, shown = [], set()
for line in lines[head:]:
    if "└" in line: break
    m = re.match(r"[◆ ]? *([0-9]+) +[01]\.[0-9]{2} ", line[col:].strip())
    if m and line is not lines[head]: values.append(m.group(1))
    axis = line.find("│", 1)
    for token in re.findall(r"[0-9]+(?:/[0-9]+)*", line[axis + 1:col]):
        shown.update(token.split("/"))
missing = [v for v in values if v not in shown]
print(" ".join(missing) if values else "no-values")'
}

"$BIN" demo >/dev/null || { echo "FAIL demo set-up"; echo "0 passed, 1 failed"; exit 1; }
first_run_started=$(date +%s)
tmux new-session -d -s "$session" -x 120 -y 40 "env VECSCOPE_HOME='$root' TERM=xterm-256color '$BIN' tui --job j01; echo VECSCOPE-EXITED; sleep 600"
check "the first run shows the set-up screen or is already through it" \
  "embedding · [0-9]+s elapsed|[0-9]+/[0-9]+ (texts|artifacts)|ready: embedded" 120
# The fixtures' vectors ship in Fixtures/: the set-up stores them (their texts' hashes match) and embeds none.
check "the first run stores the shipped fixture vectors instead of embedding" \
  "ready: embedded [0-9]+ texts with all-MiniLM-L6-v2 in [0-9]+s \([0-9]+ from Fixtures/vectors-all-MiniLM-L6-v2.tsv, 0 by" 120
check "first run embeds the fixtures and opens the TUI" "Query" 600
check "the loaded job is searched as soon as the set-up ends" "Results · semantic · 10/10" 60
echo "     (first run to a ranked screen: $(( $(date +%s) - first_run_started )) s)"
check "the job description is loaded in the query pane (from its start)" "About us. Harbourlight is an online" 10
tmux send-keys -t "$session" C-r
check "ranked results with similarity, cosine, L2 and inner product" "Results · semantic · 10/10" 60
check "result columns" "sim +cos +L2 +IP +kw +rel" 5
check "status bar shows plan and recall" "recall@10 1.00" 30
check "it opens on Results, not in the editor (the results' keys are hinted)" "Enter detail .*0–3 grade" 10
check "the query pane names the loaded job" "Query · j01 " 5
# Grade the top result: nDCG appears.
tmux send-keys -t "$session" 3
check "grading a result shows nDCG (the fixture judgments are loaded by demo)" "nDCG@10 [01]\.[0-9][0-9]" 15
# ef_search 40 → lower with ←: the parameter and the status bar update.
tmux send-keys -t "$session" Tab; sleep 0.3
for _ in 1 2 3 4 5 6; do tmux send-keys -t "$session" Down; sleep 0.2; done
tmux send-keys -t "$session" Left; sleep 1
check "changing ef_search re-runs the search" "ef_search +[0-9]+ " 10
if screen | grep -qE "│ ef_search +40 "; then
  echo "FAIL ef_search did not change"; screen | grep -E "ef_search|recall" | sed 's/^/     | /'; failed=$((failed + 1))
else
  echo "ok   ef_search changed"; passed=$((passed + 1))
fi
# Compare mode: c opens it with B a copy of A; ef_search of B lowered in the parameters pane (still on ef_search).
tmux send-keys -t "$session" c; sleep 0.5
check "compare mode shows both sides with overlap" "Compare A/B · overlap@10 10/10" 30
tmux send-keys -t "$session" '<'; sleep 0.3
tmux send-keys -t "$session" Right; sleep 0.3
check "B's ef_search differs from A's" "│B ef_search 10 " 30
check "each side shows its latency and recall" \
  "recall@10 [0-9.]+ · client [0-9.]+ m?s( · index [0-9.]+ [kMG]?B)? +│recall@10 [0-9.]+ · client" 30
check "compare shows nDCG and P@k per side, with each side's plan" \
  "│ nDCG@10 [01]\.[0-9]{2} · P@10 [01]\.[0-9]{2} · plan .*│nDCG@10 [01]\.[0-9]{2} · P@10 [01]\.[0-9]{2} · plan " 30
check "compare shows rank-biased overlap beside overlap@k" "Compare A/B · overlap@10 [0-9]+/10 · RBO [01]\.[0-9]{2}" 10
tmux send-keys -t "$session" Escape; sleep 0.3
tmux send-keys -t "$session" Right Enter
check "→ then Enter opens the detail of B's selected result" "Detail — B #1 of [0-9]+" 10
tmux send-keys -t "$session" Escape; sleep 0.3
tmux send-keys -t "$session" c; sleep 0.5
check "c closes compare mode" "Results · semantic · 10/10" 10
# Job picker: Ctrl-T lists Fixtures/jobs.jsonl; Enter loads the selected job into the query pane.
tmux send-keys -t "$session" C-t
check "the job picker lists fixture jobs" "j02 +Staff Backend Engineer – Payments" 5
tmux send-keys -t "$session" Down; sleep 0.3
tmux send-keys -t "$session" Enter
check "Enter loads the picked job" "loaded j02 “Staff Backend Engineer – Payments”" 5
check "the job's text is in the query pane" "Tallyrun is a fintech company" 5
check "the picked job is searched at once (fresh, not stale)" "^ ✓ │ server" 60
check "the query pane names the picked job" "Query · j02 Staff Backend Engineer" 5
# Recall follows the method (one rule in VecCore): keyword has none (n/a, never a spinner), hybrid measures its
# semantic candidates, on both sides of compare mode. The method is the first parameter; → cycles
# semantic → keyword → hybrid.
tmux send-keys -t "$session" Tab; sleep 0.3
for _ in 1 2 3 4 5 6 7 8 9 10; do tmux send-keys -t "$session" Up; sleep 0.1; done
tmux send-keys -t "$session" Right
check "a keyword search runs" "Results · keyword · " 30
check "keyword search shows recall n/a" "^ ✓ │ .*recall@10 n/a" 30
tmux send-keys -t "$session" Right
check "a hybrid search runs" "Results · hybrid · " 30
check "a hybrid search shows a numeric recall for its semantic candidates" \
  "^ ✓ │ .*recall@10 \(semantic candidates\) [0-9]\.[0-9]{2}" 30
tmux send-keys -t "$session" c
candidates='(semR@10|recall@10 \(semantic candidates\)) [0-9]\.[0-9]{2}'
check "in compare mode both hybrid sides show their candidate recall" "$candidates.*│$candidates" 30
tmux send-keys -t "$session" Left  # B's method (p edits B): hybrid → keyword
check "keyword on side B shows n/a beside A's hybrid number" "$candidates.*│recall@10 n/a" 30
tmux send-keys -t "$session" c; sleep 0.5
# Back to semantic (← twice) and to the query pane (Tab), as the rest expects.
tmux send-keys -t "$session" Left; sleep 0.3
tmux send-keys -t "$session" Left
check "back to semantic" "Results · semantic · 10/10" 30
# Plan control: pin the HNSW index (the plan row, 10 below method), then ef_search 40 vs 1 under it: the rows, the
# exact-rank column ("ex") and the missed neighbours change, and the warning line names the knob to turn.
for _ in 1 2 3 4 5 6 7 8 9 10; do tmux send-keys -t "$session" Down; sleep 0.1; done
tmux send-keys -t "$session" Right
check "plan pins the HNSW index" "plan +ae_hnsw_co" 10
check "the pinned index runs (status bar)" "plan Index Scan ae_hnsw_cosine" 30
check "recall against exact search under the pin" "^ ✓ │ .*recall@10 [01]\.[0-9]{2}" 30
excol() {  # the exact-rank column's cells, top to bottom (the column under the "ex" header)
  screen | python3 -c '
import sys
lines = sys.stdin.read().splitlines()
header = next((l for l in lines if " ex " in l), None)
if header is None: sys.exit()
i = header.index(" ex ")
print(",".join(l[i:i + 3].strip() for l in lines if l.startswith("│") and l[1:4].strip().isdigit()))'
}
wide=$(excol)
for _ in 1 2 3 4; do tmux send-keys -t "$session" Up; sleep 0.1; done
for _ in 1 2 3 4; do tmux send-keys -t "$session" Left; sleep 0.2; done
check "ef_search 1 under the pinned HNSW returns fewer rows" "Results · semantic · [0-9]/10" 30
check "the warning line names the knob to turn" "⚠ HNSW returned [0-9]/10 rows: ef_search 1 is below the limit — raise ef_search" 30
check "the true neighbours the index missed are listed with their exact rank" "missed by the index \(exact rank, id\): [0-9]+ a[0-9]+" 30
narrow=$(excol)
if [ -n "$wide" ] && [ "$wide" != "$narrow" ] && [ "$(echo "$wide" | tr ',' '\n' | grep -c .)" -eq 10 ]; then
  echo "ok   the exact-rank column changes with ef_search ($wide → $narrow)"; passed=$((passed + 1))
else
  echo "FAIL the exact-rank column did not change with ef_search ('$wide' → '$narrow')"; failed=$((failed + 1))
fi
for _ in 1 2 3 4; do tmux send-keys -t "$session" Right; sleep 0.2; done
check "back at ef_search 40 the pinned index returns the limit" "Results · semantic · 10/10" 30
for _ in 1 2 3 4; do tmux send-keys -t "$session" Down; sleep 0.1; done
tmux send-keys -t "$session" Left
check "plan back to auto" "plan +auto" 10
for _ in 1 2 3 4 5 6 7 8 9 10; do tmux send-keys -t "$session" Up; sleep 0.1; done
tmux send-keys -t "$session" Tab; sleep 0.3
tmux send-keys -t "$session" Tab; sleep 0.3
tmux send-keys -t "$session" '?'
check "help overlay lists the keys" "Keys —" 5
tmux send-keys -t "$session" Escape; sleep 0.5
# Index view: list, build an IVFFlat index with the form, see it listed, drop it (with the confirmation).
tmux send-keys -t "$session" i
check "the index view lists the model's HNSW index" "ae_hnsw_cosine_all_minilm_l6_v2 +hnsw +m 16 ef 64" 10
tmux send-keys -t "$session" n; sleep 0.3
check "n opens the create form" "New index" 5
tmux send-keys -t "$session" Down Right Enter
check "Enter builds the index and the view says so" "built ae_ivfflat_cosine_all_minilm_l6_v2 in" 60
check "the new index is listed with its lists" "ae_ivfflat_cosine_all_minilm_l6_v2 +ivfflat +lists 1 " 10
tmux send-keys -t "$session" Down D; sleep 0.3
check "D asks before dropping" "DROP INDEX ae_ivfflat_cosine_all_minilm_l6_v2" 5
tmux send-keys -t "$session" y
check "y drops it" "dropped ae_ivfflat_cosine_all_minilm_l6_v2" 30
tmux send-keys -t "$session" Escape; sleep 0.5
# The database goes away: a banner says so and the TUI keeps running; it reconnects once the server is back.
"$BIN" db stop >/dev/null
tmux send-keys -t "$session" r
check "a stopped database shows the banner" "database unreachable" 30
"$BIN" db start >/dev/null
check "the TUI reconnects by itself" "^ ● " 60
tmux send-keys -t "$session" r
check "searches work again after the reconnect" "^ ✓ │ server" 60
tmux resize-window -t "$session" -x 70 -y 20
check "a small terminal asks for 80×24" "terminal too small" 5
tmux resize-window -t "$session" -x 120 -y 40
check "resizing back redraws the panes" "Results · semantic" 5
tmux send-keys -t "$session" q
check "q quits and the shell gets the terminal back" "VECSCOPE-EXITED" 10

# A second start (the database is ready): --job searches at once and the keys act on the results.
start() {  # start WIDTH HEIGHT ARGS…: a fresh session running vecscope with ARGS
  local width=$1 height=$2; shift 2
  tmux kill-session -t "$session" 2>/dev/null
  # Killing the last session makes the tmux server exit; a new session started meanwhile can meet the exiting
  # server ("server exited unexpectedly"), so try again briefly.
  local attempt
  for attempt in 1 2 3 4 5; do
    tmux new-session -d -s "$session" -c "$root" -x "$width" -y "$height" \
      "env VECSCOPE_HOME='$root' TERM=${TERM_OVERRIDE:-xterm-256color} '$BIN' $*; echo VECSCOPE-EXITED rc=\$?; sleep 600" \
      && return 0
    sleep 0.5
  done
}
start 160 48 tui --job j01
check "tui --job j01 opens ranked at once" "Results · semantic · 10/10" 60
check "tui --job j01 has focus on Results (the results' keys are hinted)" "Enter detail .*0–3 grade" 10
tmux send-keys -t "$session" Enter
check "Enter on a result opens the detail" "Detail — #1 of 10" 5
tmux send-keys -t "$session" q
check "q in the detail view returns to the main screen" "Results · semantic · 10/10" 5
if screen | grep -q "VECSCOPE-EXITED"; then
  echo "FAIL q in the detail view quit the app"; failed=$((failed + 1))
else
  echo "ok   q in the detail view did not quit"; passed=$((passed + 1))
fi
# Grading at speed: n jumps to the next result without a grade (the preview under the list names the selection).
first_ungraded=$(screen | python3 -c '
import re, sys
for line in sys.stdin:
    m = re.match(r"^│ +([0-9]+) +(?:new|[↑↓][0-9]+)? +· ", line)
    if m: print(m.group(1)); break')
if [ -n "$first_ungraded" ]; then
  tmux send-keys -t "$session" g n
  check "n jumps to the next ungraded result (#$first_ungraded)" "why #$first_ungraded —" 5
else
  echo "FAIL no ungraded result on screen to jump to"; screen | sed 's/^/     | /'; failed=$((failed + 1))
fi
# E writes the grades of the loaded job to a TSV file in the working directory.
tmux send-keys -t "$session" E
check "E writes the grades to a TSV file" "wrote [0-9]+ grades to .*vecscope-grades-j01.tsv" 10
if [ -s "$root/vecscope-grades-j01.tsv" ] && ! grep -qvE $'^j01\ta[0-9]+\t[0-3]$' "$root/vecscope-grades-j01.tsv"; then
  echo "ok   the TSV holds j01<TAB>artifact<TAB>grade lines ($(wc -l < "$root/vecscope-grades-j01.tsv") grades)"; passed=$((passed + 1))
else
  echo "FAIL the exported TSV is missing or malformed"; head -5 "$root/vecscope-grades-j01.tsv" 2>&1 | sed 's/^/     | /'; failed=$((failed + 1))
fi
# Layouts at the three sizes: the title column keeps at least 30 characters below 120 columns.
title_width() { screen | python3 -c '
import re, sys
widths = {"type": 7, "owner": 10, "sim": 5, "cos": 5, "L2": 5, "IP": 5, "kw": 5, "rel": 6}
for line in sys.stdin:
    if "J title" in line:
        t = line.index("title")
        m = re.search(r"\S+", line[t + 5:])
        token, start = m.group(0), t + 5 + m.start()
        left = token in ("│", "type", "owner")  # left-aligned: the column starts where its header does
        end = start - 1 if left else start - (widths.get(token, len(token)) - len(token)) - 1
        print(end - t)
        break'; }
for size in 80x24 100x30 160x48; do
  tmux resize-window -t "$session" -x "${size%x*}" -y "${size#*x}"; sleep 1
  check "at $size the results and the status bar are drawn" "Results · semantic · 10/10" 5
  check "at $size the status bar shows the search's quality" "nDCG@10 [01]\.[0-9]{2}" 5
  check "at $size the query title keeps the job's grade counts (shown, and in all)" \
    "Query · j01 .* · [0-9]+/10 graded · [0-9]+ in all" 5
  width=$(title_width)
  if [ "${width:-0}" -ge 30 ]; then
    echo "ok   at $size the title column is $width characters"; passed=$((passed + 1))
  else
    echo "FAIL at $size the title column is ${width:-?} characters (< 30)"; screen | sed 's/^/     | /'; failed=$((failed + 1))
  fi
done
tmux resize-window -t "$session" -x 80 -y 24; sleep 0.5
tmux send-keys -t "$session" P
check "P folds the parameters pane away at 80×24" "Results · semantic · 10/10 ─+┐$" 5
tmux send-keys -t "$session" P
check "P unfolds it" "┌─ Parameters" 5
# Health view at 80×24: h reads `vecscope stats` on the background queue; q returns to the main screen.
tmux send-keys -t "$session" h
check "h opens the health view at 80×24" "┌─ Health " 5
check "the health view shows all-MiniLM-L6-v2's coverage" "coverage +[0-9]+\.[0-9] % (ok|warn) \(≥ 95\.0 %\)" 20
check "the health view names the model" "│ all-MiniLM-L6-v2 " 5
tmux send-keys -t "$session" q
check "q closes the health view" "Results · semantic · 10/10" 5
# Compare at 80×24: the two rankings take the parameters pane's width (p brings it back), and each side's title
# column keeps a usable width (it was 8 characters beside the pane).
tmux send-keys -t "$session" c
check "compare at 80×24 uses the whole width" "^┌─ Compare A/B · overlap@10 [0-9]+/10 · RBO [0-9.]+ · [0-9]+ moved ─+┐$" 30
widths=$(screen | python3 -c '
import sys
for line in sys.stdin:
    if "J title" in line:
        sides = line.strip().strip("│").split("│")
        print(" ".join(str(len(s) - s.index("title")) for s in sides[:2] if "title" in s))
        break')
if [ "$(echo "$widths" | wc -w)" -eq 2 ] && [ "${widths% *}" -ge 26 ] && [ "${widths#* }" -ge 26 ]; then
  echo "ok   at 80x24 compare's title columns are $widths characters"; passed=$((passed + 1))
else
  echo "FAIL at 80x24 compare's title columns are '${widths}' characters (< 26)"; screen | sed 's/^/     | /'; failed=$((failed + 1))
fi
tmux send-keys -t "$session" p
check "p shows the parameters pane beside compare" "┌─ Parameters · B" 5
tmux send-keys -t "$session" c
check "c closes compare at 80×24" "Results · semantic · 10/10" 10
tmux send-keys -t "$session" Tab Tab  # parameters → query → results, where the steps below start
tmux resize-window -t "$session" -x 160 -y 48; sleep 0.5
# A one-line query typed in the editor and Enter: it runs, and the editor is left.
tmux send-keys -t "$session" /
check "/ enters the editor with a badge" "EDITING · Esc to leave" 5
tmux send-keys -t "$session" C-x
tmux send-keys -t "$session" -l "kubernetes operator for postgres failover"
tmux send-keys -t "$session" Enter
check "Enter runs the typed query" "^ ✓ │ server" 30
last_query() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1]))' "$root/tui-history.jsonl" 2>/dev/null; }
deadline=$(( $(date +%s) + 10 ))
until [ "$(last_query)" = "kubernetes operator for postgres failover" ] || [ "$(date +%s)" -gt "$deadline" ]; do sleep 0.3; done
if [ "$(last_query)" = "kubernetes operator for postgres failover" ] && ! screen | grep -q "EDITING"; then
  echo "ok   the typed query was searched and the editor left"; passed=$((passed + 1))
else
  echo "FAIL the typed query was not searched (history: $(last_query | head -c 80))"; screen | sed 's/^/     | /'; failed=$((failed + 1))
fi
# After a search the single keys act instead of typing: ?, c, s, p (q at the end).
tmux send-keys -t "$session" '?'
check "? opens help after a search" "Keys —" 5
tmux send-keys -t "$session" q
check "q closes help instead of quitting" "Results · semantic · 10/10" 5
tmux send-keys -t "$session" c
check "c opens compare after a search" "Compare A/B" 10
tmux send-keys -t "$session" c
check "c closes compare" "Results · semantic · 10/10" 10
tmux send-keys -t "$session" s
check "s opens the sweep after a search" "Sweep" 10
check "the sweep names the HNSW index it pinned" "index ae_hnsw_cosine_all_minilm_l6_v2 \(HNSW, pinned\)" 10
check "the sweep's latency axis is logarithmic and says so" "p95 ms, log scale" 10
check "the ef_search sweep finishes" "done · r reruns" 120
missing=$(sweep_labels)
if [ -z "$missing" ]; then
  echo "ok   every ef_search point is labelled on the chart"; passed=$((passed + 1))
else
  echo "FAIL sweep points without a label on the chart: $missing"; screen | sed 's/^/     | /'; failed=$((failed + 1))
fi
tmux send-keys -t "$session" q
check "q closes the sweep view instead of quitting" "Results · semantic · 10/10" 10
tmux send-keys -t "$session" p
check "p focuses the parameters" "← less .*→ more|less .*more" 5
# The : prompt types a value instead of stepping to it; the results refresh.
tmux send-keys -t "$session" :
check ": opens the value prompt" "Set a value" 5
tmux send-keys -t "$session" -l "ef 64"
tmux send-keys -t "$session" Enter
check ":ef 64 sets ef_search" "│ ef_search +64 " 5
check "the search runs again with it" "^ ✓ │ server" 30
if screen | grep -q "kubernetes operator for postgres failover[?csp]"; then
  echo "FAIL keys after a search were typed into the query"; failed=$((failed + 1))
else
  echo "ok   no key after the search was typed into the query"; passed=$((passed + 1))
fi
# A 10,000-character paste without bracketed paste (tmux paste-buffer without -p) arrives whole.
python3 -c '
import random
random.seed(16)
words = ["sentence", "kubernetes", "postgres", "vector", "engineer", "latency", "rust", "go", "payments", "search"]
text = ""
while len(text) < 10000:
    text += random.choice(words) + " "
print(text[:9999] + "x", end="")' > "$root/paste.txt"
tmux send-keys -t "$session" /; sleep 0.3
tmux send-keys -t "$session" C-x; sleep 0.3
tmux load-buffer -b big "$root/paste.txt"
tmux paste-buffer -b big -t "$session"
sleep 1
tmux send-keys -t "$session" Enter
deadline=$(( $(date +%s) + 30 ))
until [ "$(last_query)" = "$(cat "$root/paste.txt")" ] || [ "$(date +%s)" -gt "$deadline" ]; do sleep 0.5; done
if [ "$(last_query)" = "$(cat "$root/paste.txt")" ]; then
  echo "ok   a 10,000-character unbracketed paste arrived whole"; passed=$((passed + 1))
else
  echo "FAIL the unbracketed paste arrived as $(last_query | wc -c) bytes, not 10000"; failed=$((failed + 1))
fi
check "the pasted query is searched" "^ ✓ │ server" 60
tmux send-keys -t "$session" q
check "q on the main screen quits" "VECSCOPE-EXITED rc=0" 10

# An IVFFlat index pinned at 80×24: s sweeps probes (ef_search cannot matter to it), names the index, labels every
# point; loading an artifact afterwards marks the finished sweep stale when it is reopened.
"$BIN" index create --model all-MiniLM-L6-v2 --type ivfflat --lists 10 >/dev/null 2>&1
start 80 24 tui --job j01
check "tui --job j01 at 80×24 (with an IVFFlat index too)" "Results · semantic · 10/10" 60
tmux send-keys -t "$session" p; sleep 0.3
for _ in 1 2 3 4 5 6 7 8 9 10; do tmux send-keys -t "$session" Down; sleep 0.1; done
for _ in 1 2 3 4 5; do
  screen | grep -qE "plan +ae_ivf" && break  # the pane cuts the name at 80 columns
  tmux send-keys -t "$session" Right; sleep 0.5
done
check "plan pins the IVFFlat index" "plan +ae_ivf" 5
check "the pinned IVFFlat index runs" "plan Index Scan ae_ivfflat_cosine" 30
tmux send-keys -t "$session" s
check "s under an IVFFlat plan sweeps probes" "Sweep probes" 10
check "the probes sweep names the IVFFlat index" "index ae_ivfflat_cosine_all_minilm_l6_v2 \(IVFFlat, pinned\)" 10
check "the probes sweep finishes" "done · r reruns" 120
check "the table lists probes" "prb recall +p50 +p95" 5
missing=$(sweep_labels)
if [ -z "$missing" ]; then
  echo "ok   every probes point is labelled on the chart at 80×24"; passed=$((passed + 1))
else
  echo "FAIL probes points without a label on the chart: $missing"; screen | sed 's/^/     | /'; failed=$((failed + 1))
fi
tmux send-keys -t "$session" Escape; sleep 0.5
printf '%s\n' '{"id": "e2e-late", "user": "u01", "artifact_type": "talk", "title": "Loaded after the sweep", "description": "d", "content": "c"}' > "$root/late.jsonl"
"$BIN" load "$root/late.jsonl" >/dev/null 2>&1
tmux send-keys -t "$session" s
check "a sweep reopened after the data changed is marked stale" "stale: the data changed · r reruns" 10
tmux send-keys -t "$session" q
check "q closes the sweep" "Results · semantic" 10
tmux send-keys -t "$session" q
check "q quits" "VECSCOPE-EXITED rc=0" 10
"$BIN" index drop ae_ivfflat_cosine_all_minilm_l6_v2 >/dev/null

# A terminal that cannot move the cursor: a message and a non-zero exit, not a blank screen.
TERM_OVERRIDE=dumb start 100 30 tui
check "TERM=dumb says why the TUI cannot run" "needs a terminal that can move the cursor" 10
check "TERM=dumb exits non-zero" "VECSCOPE-EXITED rc=[1-9]" 5
# A synthetic model (vecscope gen: no text model) is explorable at once: @id as the query under that model, then m
# (more like this) on a result searches with that result's stored vector.
"$BIN" gen --users 3 --artifacts 300 --dims 32 --seed 16 >/dev/null
start 100 30 tui --query @synthetic-a7
check "the query pane holds the artifact reference" "@synthetic-a7" 120
tmux send-keys -t "$session" p; sleep 0.3
for _ in $(seq 16); do tmux send-keys -t "$session" Down; sleep 0.05; done
tmux send-keys -t "$session" Right; sleep 0.3
check "every model with vectors is offered, the synthetic one too" "model +synthetic-" 5
tmux send-keys -t "$session" r
check "@synthetic-a7 searches the synthetic model by its stored vector" "Results · semantic · 10/10" 30
# More like it, so not itself: the source artifact (similarity 1.000 to its own vector) is not among the results.
if screen | grep -qE "│ +[0-9]+ .* 1\.000 "; then
  echo "FAIL the source artifact is among its own more-like-this results"; screen | sed 's/^/     | /'; failed=$((failed + 1))
else
  echo "ok   the source artifact is not among its own more-like-this results"; passed=$((passed + 1))
fi
cli=$("$BIN" search @synthetic-a7 --model synthetic-32 2>&1)
if [ "$(echo "$cli" | grep -cE '^[0-9]+ +synthetic-a')" -eq 10 ] && ! echo "$cli" | grep -qE '^[0-9]+ +synthetic-a7 '; then
  echo "ok   vecscope search @synthetic-a7 lists 10 others, not synthetic-a7"; passed=$((passed + 1))
else
  echo "FAIL vecscope search @synthetic-a7:"; echo "$cli" | sed 's/^/     | /'; failed=$((failed + 1))
fi
tmux send-keys -t "$session" Tab; sleep 0.3
tmux send-keys -t "$session" Tab; sleep 0.3
tmux send-keys -t "$session" Down; sleep 0.3
tmux send-keys -t "$session" m
check "m (more like this) puts the result's @user/id in the query" "@synthetic-u[0-9]+/synthetic-a[0-9]+" 10
check "and searches with its vector" "Results · semantic · 10/10" 30
check "the more-like-this search finished with its recall" "^ ✓ │ .*recall@10 [01]\.[0-9]{2}" 30
# Reads on a streaming standby: the status bar names the server that answers, a grade made meanwhile lands on the
# primary, and with the standby stopped the TUI reads on the primary and says why.
if "$BIN" db standby start >/dev/null 2>&1; then
  echo "ok   db standby start"; passed=$((passed + 1))
else
  echo "FAIL db standby start"; failed=$((failed + 1))
fi
# Default parameters: the ones saved by the steps above pin an index dropped since.
rm -f "$root/tui-parameters.json"
start 100 30 tui --read-from standby --query "standby-e2e-read"
check "--read-from standby: the status bar names the standby" "● standby 127\.0\.0\.1:[0-9]+" 30
check "the search on the standby finishes" "^ ✓ │ server" 60
check "recall is measured on the standby (its query vector is not cached there)" "recall@10 1\.00" 30
tmux send-keys -t "$session" 2
check "a grade made while reading on the standby is shown" "judged 1/10" 15
graded=$(psql "postgresql://postgres@127.0.0.1:$(cat "$root/port")/vecscope" -Atc \
  "SELECT count(*) FROM relevance_judgments WHERE query_text = 'standby-e2e-read' AND grade = 2" 2>&1)
if [ "$graded" = "1" ]; then
  echo "ok   the grade landed on the primary"; passed=$((passed + 1))
else
  echo "FAIL the grade is not on the primary: $graded"; failed=$((failed + 1))
fi
tmux send-keys -t "$session" q
check "q quits the standby-reading TUI" "VECSCOPE-EXITED rc=0" 10
"$BIN" db standby stop >/dev/null 2>&1
start 80 24 tui --read-from standby --query "standby-e2e-read"
check "standby stopped: the TUI reads on the primary" "● primary 127\.0\.0\.1:[0-9]+" 30
check "and says why" "warning: the embedded standby is stopped" 30
tmux send-keys -t "$session" q
check "q quits" "VECSCOPE-EXITED rc=0" 10
# Issue 18, item 4: tune index --apply makes the tuned ef_search the TUI's default (no saved parameters); the
# parameters pane names the tuning beside the knob, says when it is moved off, and d brings it back.
rm -f "$root/tui-parameters.json"
if "$BIN" tune index --target-recall 0.9 --apply >"$root/tune.out" 2>&1 && grep -qE "judged jobs: [0-9]+ \(semantic\)" "$root/tune.out"; then
  echo "ok   tune index --apply (with the judged jobs' nDCG check)"; passed=$((passed + 1))
else
  echo "FAIL tune index --apply"; sed 's/^/     | /' "$root/tune.out"; failed=$((failed + 1))
fi
start 80 24 tui --job j01
check "tui --job j01 after tune index --apply" "Results · semantic · 10/10" 60
tmux send-keys -t "$session" p; sleep 0.3
for _ in 1 2 3 4 5 6; do tmux send-keys -t "$session" Down; sleep 0.1; done
check "the parameters pane marks the tuned ef_search" "ef_search +[0-9]+ tuned" 10
check "and names the tuning" "tuned: ef_search [0-9]+ for" 5
tmux send-keys -t "$session" Right
check "moving ef_search off the tuned value says so" "moved off tuned [0-9]+" 10
tmux send-keys -t "$session" d
check "d resets ef_search to the tuned value" "ef_search +[0-9]+ tuned" 10
tmux send-keys -t "$session" q
check "q quits" "VECSCOPE-EXITED rc=0" 10
# Issue 18, item 5: build a bit index from the index view's form, see the variants listed with their sizes, pin it
# (a re-rank depth appears for it), then compare A (full-vector HNSW) with B (bit + re-rank 4): recall, latency and
# index size per side.
start 120 40 tui --job j01
check "tui --job j01 for the index variants" "Results · semantic · 10/10" 60
tmux send-keys -t "$session" i
check "the index view lists the full-vector HNSW index with its size" \
  "ae_hnsw_cosine_all_minilm_l6_v2 +hnsw +m 16 ef 64 +[0-9.]+ [kM]B" 10
tmux send-keys -t "$session" n; sleep 0.3
check "the create form offers quantization" "quantization +none \(full vectors\)" 5
for _ in 1 2 3 4 5; do tmux send-keys -t "$session" Down; sleep 0.1; done
tmux send-keys -t "$session" Right; sleep 0.2
check "quantization halfvec" "◀ halfvec ▶" 5
tmux send-keys -t "$session" Right; sleep 0.2
check "quantization bit (no metric field: Hamming)" "◀ bit ▶" 5
tmux send-keys -t "$session" Enter
check "Enter builds the bit index" "built ae_hnsw_bit_hamming_all_minilm_l6_v2 in" 60
check "the bit index is listed as such with its size" "ae_hnsw_bit_hamming_all_minilm_l6_v2 +hnsw bit +m 16 ef 64 +[0-9.]+ kB" 10
tmux send-keys -t "$session" Escape; sleep 0.5
tmux send-keys -t "$session" p; sleep 0.3
for _ in 1 2 3 4 5 6 7 8 9 10; do tmux send-keys -t "$session" Down; sleep 0.1; done
for _ in 1 2 3 4; do
  screen | grep -qE "plan +ae_hnsw_cos" && break
  tmux send-keys -t "$session" Right; sleep 0.5
done
check "A pins the full-vector HNSW index" "plan Index Scan ae_hnsw_cosine" 30
if screen | grep -qE "re-rank +[0-9]+×"; then
  echo "FAIL a re-rank row under a full-vector index"; screen | sed 's/^/     | /'; failed=$((failed + 1))
else
  echo "ok   no re-rank row under a full-vector index"; passed=$((passed + 1))
fi
tmux send-keys -t "$session" c; sleep 0.5
check "compare mode opens" "Compare A/B · overlap@10" 30
# Compare starts editing B (the copy of A).
for _ in 1 2 3 4; do
  tmux send-keys -t "$session" Right; sleep 0.5
  screen | grep -qE "plan +ae_hnsw_bit" && break
done
check "B pins the bit index" "B plan ae_hnsw_bit_hamming" 30
check "B's parameters show the re-rank depth 4× under the bit index" "re-rank +4×" 10
side='[Rr](ecall)?@10 [0-9.]+ · (client )?[0-9.]+ m?s · index [0-9.]+ [kMG]?B'
check "compare shows recall, latency and index size per side (A full vectors, B bit)" "$side *│$side" 60
tmux send-keys -t "$session" Down Right
check "re-rank 8× on B" "re-rank +8×" 10
check "B searched again with re-rank 8× (recall and size shown)" "│$side" 30
tmux send-keys -t "$session" c; sleep 0.3
tmux send-keys -t "$session" q
check "q quits" "VECSCOPE-EXITED rc=0" 10
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
