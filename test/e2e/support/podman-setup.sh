#!/usr/bin/env bash
# Make rootful podman usable on a Debian 12 machine (or container) with no registry access, and
# copy the testenv's base images into podman's store from the local Docker engine.
#
#   test/e2e/support/podman-setup.sh            # install if missing, configure, load the images
#   PYCONTAIN_PODMAN_STORAGE_DRIVER=vfs ...     # force a storage driver (default: overlay if the
#                                               # kernel mounts it here, else vfs)
#
# Idempotent: a second run changes nothing and loads only images podman lacks (or whose id changed).
# Needs root, Debian's apt archive, and the testenv's env file (../shared/testenv/up.sh writes it).
# Prints timings on stderr and nothing on stdout.
set -euo pipefail

log() { printf 'podman-setup: %s\n' "$*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

[ "$(id -u)" = 0 ] || { log "must run as root (rootful podman, writes /etc/containers)"; exit 1; }

# --- install --------------------------------------------------------------------------------------
t0=$(now)
# podman 4.3 (Debian 12) with CNI networking (bridge + portmap, so `-p 127.0.0.1:H:C` works) and
# iptables for the port mappings. No buildah/fuse-overlayfs/slirp4netns: rootful only.
pkgs=(podman containernetworking-plugins iptables)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# podman needs an OCI runtime; the testenv's Docker brings runc, a machine without it gets crun.
command -v runc >/dev/null 2>&1 || command -v crun >/dev/null 2>&1 || missing+=(crun)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  log "install took $(since "$t0")"
else
  log "podman $(podman version --format '{{.Client.Version}}') already installed"
fi

# --- configure ------------------------------------------------------------------------------------
t1=$(now)
MARK='# written by pycontain test/e2e/support/podman-setup.sh'
mkdir -p /etc/containers /etc/containers/registries.conf.d

# Inside a container there is no systemd: cgroupfs, and events to a file instead of the journal.
conf=/etc/containers/containers.conf
if [ ! -e "$conf" ] || head -1 "$conf" | grep -qF "$MARK"; then
  runtime=runc
  command -v runc >/dev/null 2>&1 || runtime=crun
  # Rootful podman sets RLIMIT_NOFILE=1048576 and RLIMIT_NPROC=pid_max in every container. Without
  # CAP_SYS_RESOURCE (a containerized machine) runc may not raise them ("error setting rlimit type 7:
  # operation not permitted"). Podman also lowers its own (and so conmon's) NPROC to pid_max at
  # start: the container gets the lower of the two, and our NOFILE hard limit.
  nofile=$(ulimit -Hn)
  [ "$nofile" = unlimited ] && nofile=1048576
  nproc=$(ulimit -Hu)
  pid_max=$(cat /proc/sys/kernel/pid_max)
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pid_max" ]; then nproc=$pid_max; fi
  cat >"$conf.tmp" <<CONF
$MARK
[containers]
log_driver = "k8s-file"
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "$runtime"
CONF
  mv "$conf.tmp" "$conf"
else
  log "$conf exists and is not ours: left as is"
fi

# No registry is reachable: no search registries (short names fail at once instead of timing out).
cat >/etc/containers/registries.conf.d/50-pycontain-offline.conf <<CONF
$MARK
unqualified-search-registries = []
short-name-mode = "permissive"
CONF

# Storage: overlay when the kernel mounts it here (ext4/xfs backing, not overlay-on-overlay),
# else vfs (slow and large, but works anywhere).
storage=/etc/containers/storage.conf
overlay_works() {
  local d
  d=$(mktemp -d /var/tmp/pycontain-ovl.XXXXXX)
  mkdir -p "$d/l" "$d/u" "$d/w" "$d/m"
  local ok=1
  if mount -t overlay overlay -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" "$d/m" 2>/dev/null; then
    ok=0
    umount "$d/m"
  fi
  rm -rf "$d"
  return $ok
}
driver=${PYCONTAIN_PODMAN_STORAGE_DRIVER:-}
if [ -z "$driver" ]; then
  if [ -e "$storage" ] && head -1 "$storage" | grep -qF "$MARK"; then
    driver=$(sed -n 's/^driver = "\(.*\)"$/\1/p' "$storage")
  elif overlay_works; then
    driver=overlay
  else
    driver=vfs
  fi
fi
if [ ! -e "$storage" ] || head -1 "$storage" | grep -qF "$MARK"; then
  current=$( [ -e "$storage" ] && sed -n 's/^driver = "\(.*\)"$/\1/p' "$storage" || true)
  if [ -n "$current" ] && [ "$current" != "$driver" ]; then
    # a store written by another driver cannot be read by this one
    log "storage driver changes from $current to $driver: resetting podman's store"
    podman system reset --force >&2
  fi
  cat >"$storage.tmp" <<CONF
$MARK
[storage]
driver = "$driver"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
CONF
  mv "$storage.tmp" "$storage"
else
  log "$storage exists and is not ours: left as is"
fi
podman info --format '{{.Store.GraphDriverName}} {{.Host.CgroupManager}} {{.Host.EventLogger}} {{.Host.NetworkBackend}} {{.Host.OCIRuntime.Name}}' \
  | { read -r d c e n r; log "storage=$d cgroups=$c events=$e network=$n runtime=$r"; }
log "configure took $(since "$t1")"

# --- base images ----------------------------------------------------------------------------------
t2=$(now)
envfile="${PYCONTAIN_TESTENV_STATE:-/var/cache/pycontain-testenv}/env"
if [ -z "${PYCONTAIN_TEST_PYTHON_SLIM:-}" ]; then
  [ -r "$envfile" ] || { log "no $envfile: run ../shared/testenv/up.sh first"; exit 1; }
  # shellcheck disable=SC1090
  . "$envfile"
fi
images=("$PYCONTAIN_TEST_PYTHON_SLIM" "$PYCONTAIN_TEST_DISTROLESS")
[ -n "${PYCONTAIN_PODMAN_IMAGES:-}" ] && read -r -a images <<<"$PYCONTAIN_PODMAN_IMAGES"
for img in "${images[@]}"; do
  want=$(docker image inspect --format '{{.Id}}' "$img")
  # podman keeps the config digest as the image id: equal ids mean the same image is loaded already
  have=$(podman image inspect --format '{{.Id}}' "$img" 2>/dev/null || true)
  if [ "sha256:$have" = "$want" ] || [ "$have" = "$want" ]; then
    log "$img: already in podman's store"
    continue
  fi
  t=$(now)
  # Not `podman pull docker-daemon:IMG`: podman 4.3's docker-daemon transport speaks Docker API 1.22,
  # which Docker 25+ refuses ("client version 1.22 is too old"). A pipe needs no temp archive.
  docker save "$img" | podman load -q >/dev/null
  log "$img: loaded from docker in $(since "$t")"
done
log "images took $(since "$t2"); total $(since "$t0")"
