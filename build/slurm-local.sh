#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for tests: start FOLDER writes FOLDER/slurm.conf (this host, its CPUs,
# private ports, state and logs in FOLDER) and starts munged, slurmctld and slurmd; stop FOLDER stops them.
# Needs root and Debian's slurm-wlm and munge packages. Use the cluster with SLURM_CONF=FOLDER/slurm.conf.
set -euo pipefail
command=${1:?usage: slurm-local.sh start|stop FOLDER}
folder=$(realpath -m "${2:?usage: slurm-local.sh start|stop FOLDER}")
export SLURM_CONF=$folder/slurm.conf

case "$command" in
  start)
    mkdir -p "$folder"/{state,spool,log}
    host=$(hostname -s)
    cpus=$(nproc)
    cat > "$SLURM_CONF" <<CONF
ClusterName=sequencekit-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$folder/state
SlurmdSpoolDir=$folder/spool
SlurmctldPidFile=$folder/slurmctld.pid
SlurmdPidFile=$folder/slurmd.pid
SlurmctldLogFile=$folder/log/slurmctld.log
SlurmdLogFile=$folder/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$cpus RealMemory=2000 State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    [ -s /etc/munge/munge.key ] || { mkdir -p /etc/munge; dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=128 status=none; chmod 400 /etc/munge/munge.key; }
    chown -R munge:munge /etc/munge 2>/dev/null || true
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown -R munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
    if ! munge -n >/dev/null 2>&1; then
      if id munge >/dev/null 2>&1; then runuser -u munge -- munged; else munged --force; fi
    fi
    munge -n | unmunge >/dev/null
    slurmctld
    slurmd
    for _ in $(seq 1 30); do
      sinfo -h -o '%T' 2>/dev/null | grep -qx idle && { echo "slurm-local: cluster up ($host, $cpus CPUs, SLURM_CONF=$SLURM_CONF)"; exit 0; }
      sleep 1
    done
    echo "slurm-local: the node did not become idle; logs in $folder/log" >&2
    tail -20 "$folder"/log/*.log >&2 || true
    exit 1 ;;
  stop)
    scontrol shutdown >/dev/null 2>&1 || true
    for pidfile in "$folder"/slurmctld.pid "$folder"/slurmd.pid; do
      [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    pkill -x munged 2>/dev/null || true
    running() { pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null || pgrep -x munged >/dev/null; }
    for _ in $(seq 1 20); do running || break; sleep 0.5; done
    if running; then for daemon in slurmctld slurmd munged; do pkill -9 -x "$daemon" || true; done; fi
    echo "slurm-local: stopped" ;;
  *)
    echo "usage: slurm-local.sh start|stop FOLDER" >&2; exit 2 ;;
esac
