#!/usr/bin/env bash
# The Ansible role and playbook (deploy/ansible, issue 17) run for real by
# Debian's ansible-playbook against three test hosts: an sshd this test
# starts on 127.0.0.2, 127.0.0.3 and 127.0.0.4 (a free high port, its own
# host key, a key made for the test, root only), each host with its own
# state, results, install and work directories under the test's temporary
# directory (all three are this machine). Host alpha gets the role's real
# install: the package (memtune_deb), built as t_package builds it
# (tools/mkdeb.sh, or MEMTUNE_DEB) and copied into the test's directory,
# installed by the role's apt task, run as /usr/bin/memtune with the
# packaged configs (its advice's profile, database, comes from
# /usr/share/memtune), and purged at exit (dpkg --purge; nothing may be
# left). When memtune is on this machine already (a package or a hand
# install) alpha gets the binary like the others, with a note: the test
# does not touch an operator's install. beta and gamma get the built
# binary copied (memtune_binary; gamma its configs too). All run a small
# job file that changes no system state (the alloc benchmark's malloc and
# arenas cases, a second or two); host gamma gets a job file with one
# thread in the arenas experiment, which makes its alloc.arena1_rss_saved
# differ.
#
# Pass 1 (two serial batches): three run directories come back under
# FETCH/<host>/<run>/ with meta.json's label the inventory name and
# advice.json; the playbook's fleet play writes fleet.json, which lists
# three hosts and flags gamma for alloc.arena1_rss_saved and nobody else
# for it. Pass 2 (--check, alpha and beta): alpha advises and dry-runs
# apply (apply-dry-run.txt beside its fetched run, nothing applied); beta's
# run is made to fail, its memtune restore handler runs and the play fails.
#
# Root only (the sshd logs in as root, dpkg). Installs ansible and
# openssh-server when missing (Makefile DEPS_TEST has them), without
# starting the system's sshd. sshd and everything else go at exit.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../.." && pwd)
configs=${MEMTUNE_CONFIGS:-$src/configs}

is_root || skip "t_ansible: needs root (its sshd logs in as root on 127.0.0.2-4)"
command -v python3 >/dev/null || skip "t_ansible: python3 is needed"
if ! command -v ansible-playbook >/dev/null 2>&1 || [ ! -x /usr/sbin/sshd ]; then
  command -v apt-get >/dev/null 2>&1 ||
    skip "t_ansible: needs ansible-playbook and sshd (apt-get install ansible openssh-server)"
  prc=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    prc=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$prc" && chmod 755 "$prc"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -o DPkg::Lock::Timeout=300 ansible openssh-server >/dev/null 2>&1; rc=$?
  [ -z "$prc" ] || rm -f "$prc"
  [ $rc = 0 ] && command -v ansible-playbook >/dev/null 2>&1 &&
    [ -x /usr/sbin/sshd ] ||
    skip "t_ansible: ansible-playbook or sshd is missing and apt-get install failed"
fi
case $MEMTUNE in /*) ;; *) MEMTUNE=$PWD/$MEMTUNE ;; esac
[ -x "$MEMTUNE" ] || fail "MEMTUNE=$MEMTUNE is not an executable"

# alpha installs the package unless memtune is on this machine already.
deb_host=alpha
deb_note=""
installed=0
if ! command -v dpkg >/dev/null 2>&1; then
  deb_host=""
  deb_note="no dpkg: alpha gets the binary, the package install is not tested"
elif memtune_on_system; then
  deb_host=""
  deb_note="$why: alpha gets the binary, the package install is not tested"
else
  test_deb
  cp "$deb" "$T/" || fail "cannot copy $deb to $T"
  deb=$T/$(basename "$deb")
  deb_files "$deb" >"$T/deb-files"
  grep -qx /usr/bin/memtune "$T/deb-files" || fail "the package has no /usr/bin/memtune"
  deb_version=$(dpkg-deb -f "$deb" Version)
fi
[ -z "$deb_note" ] || echo "t_ansible: note: $deb_note"

# remove_deb: purges the package the play installed and checks that
# nothing of it is left (dpkg's database, its files).
remove_deb() {
  installed=0
  dpkg --purge memtune >"$T/purge.log" 2>&1 ||
    fail "dpkg --purge memtune failed: $(cat "$T/purge.log")"
  deb_purged "$T/deb-files"
}

# Nothing may land in root's home: ansible's own directories are the
# test's (checked at the end when there was none before).
had_dot_ansible=0
[ -e /root/.ansible ] && had_dot_ansible=1
S=$T/ssh
A=$T/ansible
F=$T/fetch
mkdir -p -m 700 "$S" "$A" "$A/home" "$A/local" "$A/remote" "$A/cp" "$T/hosts/home"
sshd_pid=""
made_run_sshd=0
cleanup() {
  local ip
  if [ -n "$sshd_pid" ]; then
    # The client's persistent connections first, then sshd and its
    # sessions (children of the sshd this test started).
    for ip in 127.0.0.2 127.0.0.3 127.0.0.4; do
      ssh -F /dev/null -o ControlPath="$A/cp/%C" -O exit -p "$port" \
        "root@$ip" >/dev/null 2>&1
    done
    pkill -TERM -P "$sshd_pid" 2>/dev/null
    kill "$sshd_pid" 2>/dev/null
    wait "$sshd_pid" 2>/dev/null
  fi
  [ "$made_run_sshd" = 1 ] && rmdir /run/sshd 2>/dev/null
  # The package, when a failure came before remove_deb (it says so when
  # something is left).
  [ "$installed" = 1 ] && (remove_deb)
  # MEMTUNE_TEST_LOGS=DIR keeps the playbook logs.
  [ -n "${MEMTUNE_TEST_LOGS:-}" ] && cp "$T"/pass*.log "$S/sshd.log" \
    "${MEMTUNE_TEST_LOGS}/" 2>/dev/null
  cleanup_lib
}
trap cleanup EXIT

# --- the sshd --------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -C memtune-test-host -f "$S/host_key" ||
  fail "ssh-keygen (host key) failed"
ssh-keygen -q -t ed25519 -N '' -C memtune-test-client -f "$S/client_key" ||
  fail "ssh-keygen (client key) failed"
cp "$S/client_key.pub" "$S/authorized_keys"
# sshd wants its privilege separation directory (the ssh service makes it).
if [ ! -d /run/sshd ]; then
  mkdir -m 755 /run/sshd && made_run_sshd=1
fi

# A port free on the three addresses (tried again if sshd loses a race).
free_port() {
  python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randint(20000, 60000)
    ok = True
    for ip in ('127.0.0.2', '127.0.0.3', '127.0.0.4'):
        s = socket.socket()
        try:
            s.bind((ip, p))
        except OSError:
            ok = False
        finally:
            s.close()
    if ok:
        print(p)
        break
PY
}
up=0
for attempt in 1 2 3; do
  port=$(free_port)
  [ -n "$port" ] || fail "no free port on 127.0.0.2-4"
  cat >"$S/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.2
ListenAddress 127.0.0.3
ListenAddress 127.0.0.4
HostKey $S/host_key
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
AllowUsers root
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
# The sessions' HOME is the test's: root's shell startup files (a
# ~/.bashrc that runs slow tools for every command) are not read, and
# nothing is written under /root.
SetEnv HOME=$T/hosts/home
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
  /usr/sbin/sshd -t -f "$S/sshd_config" >"$T/sshd-t.log" 2>&1 ||
    fail "sshd -t refuses the test's config: $(cat "$T/sshd-t.log")"
  /usr/sbin/sshd -D -f "$S/sshd_config" -E "$S/sshd.log" &
  sshd_pid=$!
  for i in $(seq 1 50); do
    if ssh -F /dev/null -i "$S/client_key" -o IdentitiesOnly=yes \
      -o BatchMode=yes -o StrictHostKeyChecking=no \
      -o UserKnownHostsFile="$S/known_hosts" -o ConnectTimeout=2 \
      -p "$port" root@127.0.0.4 true >/dev/null 2>&1; then
      up=1
      break
    fi
    kill -0 "$sshd_pid" 2>/dev/null || break
    sleep 0.2
  done
  [ "$up" = 1 ] && break
  kill "$sshd_pid" 2>/dev/null
  wait "$sshd_pid" 2>/dev/null
  sshd_pid=""
done
[ "$up" = 1 ] || fail "the test's sshd did not come up: $(tail -n 5 "$S/sshd.log" 2>/dev/null)"

# --- ansible's configuration and the inventory ----------------------------
cat >"$A/ansible.cfg" <<EOF
[defaults]
home = $A/home
local_tmp = $A/local
remote_tmp = $A/remote
host_key_checking = False
retry_files_enabled = False
interpreter_python = /usr/bin/python3
forks = 5
[ssh_connection]
ssh_args = -F /dev/null -o IdentitiesOnly=yes -o UserKnownHostsFile=$S/known_hosts -o StrictHostKeyChecking=no -o ControlMaster=auto -o ControlPersist=60s
control_path_dir = $A/cp
control_path = $A/cp/%%C
pipelining = True
EOF
# Each host's directories: $T/hosts/<name>/{state,runs,opt,work,tmp,async}.
if [ -n "$deb_host" ]; then
  alpha="memtune_deb=$deb memtune_binary=\"\""
else
  alpha="memtune_binary_configs=$configs"
fi
cat >"$A/inventory.ini" <<EOF
[memtune]
alpha ansible_host=127.0.0.2 memtune_profile=database $alpha
beta  ansible_host=127.0.0.3 memtune_run_args="{{ ['--set', 'alloc.nosuch=1'] if (t_break | default(false) | bool) else [] }}"
gamma ansible_host=127.0.0.4 memtune_config=$T/odd.ini memtune_binary_configs=$configs

[memtune:vars]
ansible_port=$port
ansible_user=root
ansible_become=false
ansible_ssh_private_key_file=$S/client_key
ansible_remote_tmp=$T/hosts/{{ inventory_hostname }}/tmp
ansible_async_dir=$T/hosts/{{ inventory_hostname }}/async
memtune_binary=$MEMTUNE
memtune_binary_configs=""
memtune_install_dir=$T/hosts/{{ inventory_hostname }}/opt
memtune_state_dir=$T/hosts/{{ inventory_hostname }}/state
memtune_results_dir=$T/hosts/{{ inventory_hostname }}/runs
memtune_work_dir=$T/hosts/{{ inventory_hostname }}/work
memtune_config=$T/sweep.ini
memtune_fetch_dir=$F
memtune_advise=true
memtune_timeout=300
memtune_poll_interval=1
EOF
# The job file: malloc and arenas cycles of 4 KiB, few short samples, no
# system change. gamma's has one thread in the arenas experiment: one
# arena either way, so less memory saved by M_ARENA_MAX=1.
cat >"$T/sweep.ini" <<'EOF'
[global]
benchmarks = alloc
sample_time = 5ms
min_samples = 3
max_samples = 3
warmup_samples = 0
allow_system_changes = no

[alloc]
ops = malloc,arenas
sizes = 4K
threads = 2
EOF
sed 's/^threads = 2$/threads = 1/' "$T/sweep.ini" >"$T/odd.ini"

playbook() {
  env HOME="$A/home" ANSIBLE_CONFIG="$A/ansible.cfg" ANSIBLE_NOCOLOR=1 \
    ANSIBLE_FORCE_COLOR=0 ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks \
    ansible-playbook -i "$A/inventory.ini" \
    "$src/deploy/ansible/sweep.yml" -e memtune_serial=2 "$@"
}

# --- pass 1: the sweep ----------------------------------------------------
# From here on the play may have installed the package.
[ -n "$deb_host" ] && installed=1
playbook -e memtune_fleet=true -e "memtune_fleet_command=$MEMTUNE" \
  -e "memtune_fleet_output=$T/fleet-out" >"$T/pass1.log" 2>&1 ||
  { tail -n 60 "$T/pass1.log"; fail "ansible-playbook (pass 1) failed"; }
# serial 2: two batches of the sweep play.
[ "$(grep -c '^PLAY \[memtune sweep\]' "$T/pass1.log")" = 2 ] ||
  fail "the sweep did not run in two serial batches: $(grep '^PLAY' "$T/pass1.log")"
grep -q '^PLAY RECAP' "$T/pass1.log" || fail "no PLAY RECAP in pass 1"
for h in alpha beta gamma; do
  grep -Eq "^$h +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0" "$T/pass1.log" ||
    fail "host $h did not finish cleanly: $(grep "^$h " "$T/pass1.log")"
  runs=$(find "$F/$h" -mindepth 1 -maxdepth 1 -type d | wc -l)
  [ "$runs" = 1 ] || fail "$F/$h holds $runs run directories, not 1"
  r=$(find "$F/$h" -mindepth 1 -maxdepth 1 -type d)
  for f in meta.json results.jsonl topology.xml advice.json 99-memtune.conf; do
    [ -s "$r/$f" ] || fail "$h: $f did not come back ($r)"
  done
  ls "$r/snapshots" | grep -q . || fail "$h: snapshots/ did not come back"
  python3 - "$r/meta.json" "$h" <<'PY' || fail "$h: meta.json label is not $h"
import json, sys
assert json.load(open(sys.argv[1]))['label'] == sys.argv[2]
PY
  # On the host: its own state directory (no journal left pending) and
  # results directory; the binary copied (the package host: the package
  # copied and installed, no binary).
  hd=$T/hosts/$h
  [ -d "$hd/state" ] && [ -d "$hd/runs/$(basename "$r")" ] ||
    fail "$h: no state or results directory of its own under $hd"
  [ -e "$hd/state/run.journal" ] && fail "$h: a journal is left pending"
  if [ "$h" = "$deb_host" ]; then
    [ -e "$hd/opt/bin/memtune" ] && fail "$h: the binary was copied to the package host"
    cmp -s "$deb" "$hd/work/$(basename "$deb")" || fail "$h: the package was not copied"
  else
    cmp -s "$MEMTUNE" "$hd/opt/bin/memtune" || fail "$h: the binary was not copied"
  fi
done
# alpha's advice names the database profile (the package's or the copied
# configs'); gamma got the configs with its binary.
python3 - "$(find "$F/alpha" -name advice.json)" <<'PY' || fail "alpha's advice is not the database profile's"
import json, sys
assert json.load(open(sys.argv[1]))['profile'] == 'database'
PY
[ -n "$(find "$T/hosts/gamma/opt/share/memtune/configs" -name database.ini)" ] ||
  fail "gamma: the configs were not copied with the binary"
if [ -n "$deb_host" ]; then
  st=$(dpkg-query -W -f='${Status} ${Version}' memtune 2>&1)
  [ "$st" = "install ok installed $deb_version" ] ||
    fail "the play did not install $(basename "$deb"): dpkg-query: $st"
  [ "$(dpkg-query -S /usr/bin/memtune 2>/dev/null)" = "memtune: /usr/bin/memtune" ] ||
    fail "/usr/bin/memtune is not the package's"
elif ! memtune_on_system; then
  [ -e /usr/bin/memtune ] && fail "/usr/bin/memtune appeared"
fi

# The fleet: three hosts, gamma odd for alloc.arena1_rss_saved.
J=$T/fleet-out/fleet.json
[ -s "$J" ] && [ -s "$T/fleet-out/fleet.html" ] || fail "the fleet play wrote no fleet.json/fleet.html"
grep -q "odd: gamma: alloc.arena1_rss_saved" "$T/pass1.log" ||
  fail "the fleet play's summary does not flag gamma: $(grep -A8 'Show the odd hosts' "$T/pass1.log")"
python3 - "$J" <<'PY' || fail "fleet.json is not as expected: $(cat "$J")"
import json, sys
f = json.load(open(sys.argv[1]))
hosts = {h['host']: h for h in f['hosts']}
assert sorted(hosts) == ['alpha', 'beta', 'gamma'], sorted(hosts)
for n, h in hosts.items():
    assert h['label'] == n, (n, h['label'])
odd = [o['figure'] for o in hosts['gamma']['odd']]
assert 'alloc.arena1_rss_saved' in odd, odd
for n in ('alpha', 'beta'):
    assert 'alloc.arena1_rss_saved' not in [o['figure'] for o in hosts[n]['odd']], n
assert not f['skipped'], f['skipped']
PY

# --- pass 2: --check on alpha, a failing run on beta ------------------------
playbook --check --limit alpha,beta -e t_break=true >"$T/pass2.log" 2>&1 &&
  { tail -n 40 "$T/pass2.log"; fail "pass 2 succeeded though beta's run fails"; }
grep -Eq '^alpha +: .*unreachable=0 +failed=0' "$T/pass2.log" ||
  { tail -n 60 "$T/pass2.log"; fail "alpha failed in check mode"; }
grep -Eq '^beta +: .*failed=1' "$T/pass2.log" || fail "beta did not fail: $(grep '^beta ' "$T/pass2.log")"
grep -q 'RUNNING HANDLER \[memtune : memtune restore\]' "$T/pass2.log" ||
  { tail -n 60 "$T/pass2.log"; fail "the memtune restore handler did not run"; }
grep -A2 'RUNNING HANDLER \[memtune : memtune restore\]' "$T/pass2.log" | grep -q 'changed: \[beta\]' ||
  fail "memtune restore did not run on beta: $(grep -A3 'RUNNING HANDLER' "$T/pass2.log")"
grep -q "memtune run on beta failed" "$T/pass2.log" || fail "the failure is not reported"
[ "$(find "$F/alpha" -mindepth 1 -maxdepth 1 -type d | wc -l)" = 2 ] ||
  fail "alpha's check-mode run did not come back"
d=$(ls -d "$F"/alpha/*/apply-dry-run.txt 2>/dev/null)
[ -n "$d" ] && [ -s "$d" ] || fail "no apply-dry-run.txt beside alpha's check-mode run"
[ "$(find "$F/beta" -mindepth 1 -maxdepth 1 -type d | wc -l)" = 1 ] ||
  fail "beta's failed run was fetched"
[ -e "$T/hosts/alpha/state/apply.journal" ] && fail "check mode left an apply journal on alpha"
[ -e "$T/hosts/beta/state/run.journal" ] && fail "beta's journal is left pending after restore"
[ "$had_dot_ansible" = 0 ] && [ -e /root/.ansible ] && fail "ansible wrote /root/.ansible"
if [ -n "$deb_host" ]; then
  remove_deb
  how="$deb_host from $(basename "$deb"), purged"
else
  how="no package host: $deb_note"
fi
echo "t_ansible: ok (3 hosts on 127.0.0.2-4:$port, gamma flagged; check mode, restore handler; $how; ${SECONDS}s)"
