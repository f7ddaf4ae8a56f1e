#!/bin/sh
# Entrypoint of the Evidence Locker image (Containerfile). As DOCSight's does, it makes the data and
# backup volumes usable by the app's user, uid 1000 (DOCSight's appuser, and the node user of the
# Node images), then runs the command as that user:
#
# - Started as root (the default): whatever in DATA_DIR and BACKUP_DIR does not belong to uid 1000
#   is handed to it (DOCSight's entrypoint chowns /data and /backup the same way, so on a data
#   volume shared with DOCSight nothing changes), each directory is checked as uid 1000, and the
#   command runs as uid 1000 through setpriv (exec: node becomes PID 1 and gets SIGTERM itself).
# - Started as another user (`--user`, Kubernetes' runAsUser): nothing can be handed over, so each
#   directory is only checked.
#
# A directory the server cannot write stops the start here, naming the path and the fix, instead of
# failing on the first backup.
set -eu

APP_UID=1000
APP_GID=1000
data_dir=${DATA_DIR:-/data}
backup_dir=${BACKUP_DIR:-/backup}

say() { echo "evidence-locker: $*" >&2; }

# usable DIR [as-app]: DIR is a directory this process (or uid 1000) can create files in.
usable() {
  if [ "${2:-}" = as-app ]; then
    setpriv --reuid="$APP_UID" --regid="$APP_GID" --clear-groups -- sh -c '[ -d "$1" ] && [ -w "$1" ] && [ -x "$1" ]' sh "$1"
  else
    [ -d "$1" ] && [ -w "$1" ] && [ -x "$1" ]
  fi
}

refuse() { # refuse WHAT DIR UID HOW
  say "$1 $2 is not writable for uid $3, the user Evidence Locker runs as."
  say "Fix: $4"
  exit 1
}

if [ "$(id -u)" = 0 ]; then
  for dir in "$data_dir" "$backup_dir"; do
    mkdir -p "$dir" 2>/dev/null || true
    [ -d "$dir" ] || continue
    # Only what is not the app's yet, and never across into another mount.
    if [ -n "$(find "$dir" -xdev \( ! -user "$APP_UID" -o ! -group "$APP_GID" \) -print -quit 2>/dev/null)" ]; then
      say "handing $dir to uid $APP_UID"
      find "$dir" -xdev \( ! -user "$APP_UID" -o ! -group "$APP_GID" \) -exec chown -h "$APP_UID:$APP_GID" {} + 2>/dev/null || true
    fi
  done
  usable "$data_dir" as-app || refuse 'Data directory' "$data_dir" "$APP_UID" \
    "it could not be handed over from inside the container (a read-only mount, or a network share that maps root to nobody?). On the host, run: chown -R $APP_UID:$APP_GID <the directory or volume mounted at $data_dir>"
  usable "$backup_dir" as-app || refuse 'Backup directory' "$backup_dir" "$APP_UID" \
    "it could not be handed over from inside the container (a read-only mount, or a network share that maps root to nobody?). On the host, run: chown -R $APP_UID:$APP_GID <the directory mounted at $backup_dir>, or let uid $APP_UID write in the share's settings"
  exec setpriv --reuid="$APP_UID" --regid="$APP_GID" --clear-groups -- "$@"
fi

uid=$(id -u)
run_as_root="or start the container as root (the default), which hands it to uid $APP_UID itself"
usable "$data_dir" || refuse 'Data directory' "$data_dir" "$uid" \
  "on the host, run: chown -R $uid <the directory or volume mounted at $data_dir>, $run_as_root"
usable "$backup_dir" || refuse 'Backup directory' "$backup_dir" "$uid" \
  "on the host, run: chown -R $uid <the directory mounted at $backup_dir>, $run_as_root"
exec "$@"
