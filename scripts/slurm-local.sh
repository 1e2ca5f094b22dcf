#!/usr/bin/env bash
# Starts a one-node SLURM cluster on this machine (as root; Debian's slurm-wlm and munge,
# installed when missing), so that `sbatch` can run the shards of a run (README: "Shards").
# Does nothing when a node is already idle. Writes /etc/slurm/slurm.conf only when absent.
set -euo pipefail

node_up() { sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; }
if command -v sinfo >/dev/null 2>&1 && node_up; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "slurm-local.sh: run as root (it installs packages and starts daemons)" >&2
  exit 1
fi
for tool in slurmctld slurmd sbatch sinfo munged; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y slurm-wlm munge
    break
  fi
done

host=$(hostname -s)
if [ ! -f /etc/slurm/slurm.conf ]; then
  # The node line as slurmd sees this machine: CPUs, sockets, cores and memory (MB).
  node=$(slurmd -C | head -1 | sed 's/ UpTime=.*//')
  cat > /etc/slurm/slurm.conf <<CONF
ClusterName=bench
SlurmctldHost=$host
AuthType=auth/munge
SlurmUser=slurm
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
$node State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
fi
mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /etc/munge \
  /var/lib/munge /var/log/munge
chown slurm:slurm /var/spool/slurmctld /var/log/slurm
chown munge:munge /run/munge /etc/munge /var/lib/munge /var/log/munge
chmod 700 /etc/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
fi
pgrep -x munged >/dev/null || su -s /bin/sh munge -c /usr/sbin/munged
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd
for _ in $(seq 60); do
  if node_up; then
    sinfo
    exit 0
  fi
  sleep 1
done
echo "slurm-local.sh: the node did not come up; see /var/log/slurm/" >&2
sinfo >&2 || true
exit 1
