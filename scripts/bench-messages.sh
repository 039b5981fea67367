#!/usr/bin/env bash
# The messages benchmark, as BENCHMARKS.md records it:
#   scripts/bench-messages.sh [DATABASE] [SENDERS] [--skip-planning]   (default: a fresh aphp seed in /tmp, 2 senders)
# Builds the release binary, seeds the aphp profile when the database does not exist, starts the
# local peers (aiosmtpd as the relay, scripts/sms-peer.py as the gateway; both record every message
# they receive), runs `creneau bench messages`, then counts what the peers received: each message
# must arrive once (one Message-ID per email, one reference per SMS).
set -euo pipefail
cd "$(dirname "$0")/.."
db="${1:-/tmp/creneau-bench-messages/aphp.sqlite}"
senders="${2:-2}"
extra="${3:-}"
swift build -c release --product creneau >/dev/null
bin="$PWD/.build/release/creneau"
if [ ! -f "$db" ]; then
  mkdir -p "$(dirname "$db")"
  echo "== seeding the aphp profile into $db (about 5 minutes)"
  "$bin" seed --profile aphp --database-path "$db"
fi
work="$(mktemp -d)"
mkdir -p "$work/smtp" "$work/sms"
mkfifo "$work/smtp.in" "$work/smtp2.in" "$work/sms.in"
# The relay: two aiosmtpd processes on one port (SO_REUSEPORT), as a relay runs several SMTP
# processes, each recording the envelope and headers without decoding the body (as a relay
# does): one Python process decoding every message tops out near 300 messages/s on a core, and
# would be what is measured.
/usr/bin/python3 scripts/smtp-peer.py --port 0 --reuse-port --headers-only --out "$work/smtp" < "$work/smtp.in" > "$work/smtp.port" &
smtp_pid=$!
/usr/bin/python3 scripts/sms-peer.py --port 0 --out "$work/sms" < "$work/sms.in" > "$work/sms.port" &
sms_pid=$!
# Hold the peers' stdin open; closing it stops them.
exec 7> "$work/smtp.in" 8> "$work/sms.in"
smtp2_pid=""
cleanup() { exec 7>&- 8>&- 9>&- 2>/dev/null; kill "$smtp_pid" "$sms_pid" $smtp2_pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 50); do grep -q ready "$work/smtp.port" && grep -q ready "$work/sms.port" && break; sleep 0.2; done
grep -q ready "$work/smtp.port" && grep -q ready "$work/sms.port" || { echo "the peers did not start (python3-aiosmtpd installed?)" >&2; exit 1; }
smtp_port="$(cut -d' ' -f2 "$work/smtp.port")"
sms_port="$(cut -d' ' -f2 "$work/sms.port")"
/usr/bin/python3 scripts/smtp-peer.py --port "$smtp_port" --reuse-port --headers-only --out "$work/smtp" < "$work/smtp2.in" > "$work/smtp2.port" &
smtp2_pid=$!
exec 9> "$work/smtp2.in"
for _ in $(seq 50); do grep -q ready "$work/smtp2.port" && break; sleep 0.2; done
grep -q ready "$work/smtp2.port" || { echo "the second relay process did not start" >&2; exit 1; }
echo "== peers: SMTP 127.0.0.1:$smtp_port (two processes), SMS gateway 127.0.0.1:$sms_port"
CRENEAU_SMTP_URL="smtp://127.0.0.1:$smtp_port" CRENEAU_SMS_URL="http://127.0.0.1:$sms_port/v1/messages" CRENEAU_MAIL_FROM="rdv@aphp.example" \
  /usr/bin/time -v "$bin" bench messages --senders "$senders" --database-path "$db" ${CONCURRENCY:+--concurrency $CONCURRENCY} $extra 2> "$work/time.txt"
grep -E "Elapsed|Maximum resident" "$work/time.txt"
/usr/bin/python3 - "$work" <<'PY'
import json, os, sys, collections
work = sys.argv[1]
def load(folder):
    return [json.load(open(os.path.join(folder, f))) for f in os.listdir(folder) if f.endswith(".json") and f != "mode.json"]
emails = load(os.path.join(work, "smtp"))
texts = load(os.path.join(work, "sms"))
ids = collections.Counter(e["message_id"] for e in emails)
refs = collections.Counter(t["fields"].get("reference") for t in texts)
print(f"peers:    {len(emails)} emails ({len(ids)} distinct Message-IDs, {sum(1 for c in ids.values() if c > 1)} repeated), "
      f"{len(texts)} SMS ({len(refs)} distinct references, {sum(1 for c in refs.values() if c > 1)} repeated)")
PY
