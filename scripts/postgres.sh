#!/usr/bin/env bash
# A throwaway local PostgreSQL server for the tests and for trying the postgres target:
#
#   scripts/postgres.sh start    install Debian's postgresql if missing, init a cluster, start it
#   scripts/postgres.sh stop     stop it (the data directory stays)
#   scripts/postgres.sh status   running or not
#   scripts/postgres.sh env      the PG* settings to export for the loader and dbt
#
# The server listens on loopback only (127.0.0.1:$PGPORT, default 55432, not the usual 5432 so that
# an existing service is never touched) with its data in $PG_DATA (default
# ${TMPDIR:-/tmp}/email-analytics-elt-pg-$PGPORT). One login role, $PGUSER with $PGPASSWORD, owns
# the database $PGDATABASE. The default password is a public, local-only test value, like the
# sandbox's credentials; set PGPASSWORD to use another.
set -euo pipefail

export PGHOST=127.0.0.1
export PGPORT="${PGPORT:-55432}"
export PGUSER="${PGUSER:-elt}"
export PGPASSWORD="${PGPASSWORD:-elt-local-test}"
export PGDATABASE="${PGDATABASE:-email_analytics}"
PG_DATA="${PG_DATA:-${TMPDIR:-/tmp}/email-analytics-elt-pg-$PGPORT}"

say() { echo "postgres.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

bindir() {
    # the newest installed server version's binaries (Debian: /usr/lib/postgresql/<major>/bin)
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$dir" && -x "$dir/initdb" ]]; then
        echo "$dir"
    elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(command -v initdb)"
    fi
}

install_server() {
    local sudo=()
    if [[ $EUID -ne 0 ]]; then
        sudo -n true 2>/dev/null || die "PostgreSQL's server is not installed and this user cannot install it. Install Debian's package: sudo apt-get install postgresql"
        sudo=(sudo -n)
    fi
    say "installing Debian's postgresql package (apt-get)..."
    local started=$SECONDS
    local log="${TMPDIR:-/tmp}/email-analytics-elt-apt.log"
    "${sudo[@]}" apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; die "apt-get update failed"; }
    # policy-rc.d 101: the package must not start its own default cluster (we run our own).
    "${sudo[@]}" sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        postgresql >>"$log" 2>&1; then
        "${sudo[@]}" rm -f /usr/sbin/policy-rc.d
        cat "$log" >&2
        die "apt-get install postgresql failed"
    fi
    "${sudo[@]}" rm -f /usr/sbin/policy-rc.d
    say "installed in $((SECONDS - started)) s"
}

# PostgreSQL refuses to run as root: as root, run the server as the `postgres` user.
as_owner() {
    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

running() {
    local bin="$1"
    [[ -f "$PG_DATA/PG_VERSION" ]] && as_owner "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

start() {
    local bin
    bin="$(bindir)"
    if [[ -z "$bin" ]]; then
        install_server
        bin="$(bindir)"
        [[ -n "$bin" ]] || die "postgresql was installed but initdb was not found under /usr/lib/postgresql"
    fi
    if running "$bin"; then
        say "already running on $PGHOST:$PGPORT (data $PG_DATA)"
    else
        if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
            say "initialising a cluster in $PG_DATA"
            mkdir -p "$PG_DATA"
            local pwfile="$PG_DATA.pw"
            (umask 077 && printf '%s\n' "$PGPASSWORD" > "$pwfile")
            if [[ $EUID -eq 0 ]]; then chown postgres: "$PG_DATA" "$pwfile"; fi
            chmod 700 "$PG_DATA"
            as_owner "$bin/initdb" -D "$PG_DATA" -U "$PGUSER" --pwfile="$pwfile" \
                --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
                >"$PG_DATA.initdb.log" 2>&1 || { cat "$PG_DATA.initdb.log" >&2; rm -f "$pwfile"; die "initdb failed"; }
            rm -f "$pwfile"
        fi
        say "starting PostgreSQL ($("$bin/postgres" --version | awk '{print $3}')) on $PGHOST:$PGPORT"
        as_owner "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 \
            -o "-c listen_addresses=$PGHOST -p $PGPORT -k $PG_DATA -c fsync=off" start >/dev/null \
            || { tail -n 20 "$PG_DATA/server.log" >&2; die "the server did not start"; }
    fi
    if ! "$bin/psql" -d postgres -Atqc "select 1 from pg_database where datname = '$PGDATABASE'" | grep -q 1; then
        "$bin/psql" -d postgres -qc "create database \"$PGDATABASE\"" >/dev/null
        say "created database $PGDATABASE"
    fi
}

stop() {
    local bin
    bin="$(bindir)"
    if [[ -n "$bin" ]] && running "$bin"; then
        as_owner "$bin/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
        say "stopped"
    else
        say "not running"
    fi
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status)
        bin="$(bindir)"
        if [[ -n "$bin" ]] && running "$bin"; then say "running on $PGHOST:$PGPORT (data $PG_DATA)"; else say "not running"; exit 3; fi
        ;;
    env)
        # the password is not printed: set PGPASSWORD yourself if you changed it
        echo "export WAREHOUSE=postgres PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER PGDATABASE=$PGDATABASE"
        ;;
    *) die "unknown command '$1' (start, stop, status, env)" ;;
esac
