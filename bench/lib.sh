# shellcheck shell=bash
# Shared helpers for the bench/ scripts: source it, don't run it.
#
#   source "$(dirname "$0")/lib.sh"
#
# Everything binds to 127.0.0.1, temporary files go to bench/out/ (git-ignored), and every
# background process started through these helpers is killed by the EXIT trap.

set -euo pipefail

KA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KA_OUT="$KA_ROOT/bench/out"
KA_HOST=127.0.0.1
# Same JVM options for every app instance, so that runs compare (override with the env var).
KA_JAVA_OPTS="${KA_JAVA_OPTS:--Xmx1g}"
KA_PIDS=()
KA_PORTS=()
KA_T0=$(date +%s)
mkdir -p "$KA_OUT"
cd "$KA_ROOT"

ka_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
ka_die() { ka_log "ERROR: $*"; exit 1; }

# Milliseconds since the epoch.
ka_now_ms() { date +%s%3N; }

# 1-minute load average.
ka_load() { cut -d' ' -f1 /proc/loadavg; }

# Seconds since the script started.
ka_elapsed() { echo $(($(date +%s) - KA_T0)); }

# ka_need CMD:PACKAGE ... installs the Debian packages whose commands are missing.
ka_need() {
	local missing=() spec
	for spec in "$@"; do
		command -v "${spec%%:*}" >/dev/null 2>&1 || missing+=("${spec#*:}")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	ka_log "installing ${missing[*]} with apt"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >"$KA_OUT/apt.log" 2>&1; then
		apt-get update >>"$KA_OUT/apt.log" 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >>"$KA_OUT/apt.log" 2>&1 \
			|| ka_die "apt-get install ${missing[*]} failed, see $KA_OUT/apt.log"
	fi
}

# ka_jar SERVER: path of the sample app jar for tomcat, jetty or netty.
ka_jar() { echo "$KA_OUT/sample-$1.jar"; }

# ka_build_jars [SERVER...]: builds bench/out/sample-tomcat.jar, sample-jetty.jar and/or
# sample-netty.jar (default the first two), reusing a jar that is newer than every source and
# pom.
ka_build_jars() {
	local servers=("$@") server jar built="$KA_ROOT/sample-app/target/keepalive-sample-app-0.1.0-SNAPSHOT.jar"
	[ ${#servers[@]} -gt 0 ] || servers=(tomcat jetty)
	for server in "${servers[@]}"; do
		jar=$(ka_jar "$server")
		if [ -f "$jar" ] && [ -z "$(find "$KA_ROOT/pom.xml" "$KA_ROOT"/*/pom.xml "$KA_ROOT/autoconfigure/src/main" \
			"$KA_ROOT/sample-app/src/main" -newer "$jar" -type f -print -quit)" ]; then
			ka_log "reusing $jar"
			continue
		fi
		ka_log "building $jar"
		# the repackaged jar is not rebuilt when only the profile changes: remove it first
		rm -f "$built" "$built.original"
		local profile=()
		case $server in
		jetty) profile=(-Pjetty) ;;
		netty) profile=(-Pnetty) ;;
		esac
		"$KA_ROOT/mvnw" -q -B -pl sample-app -am package -DskipTests "${profile[@]}" >"$KA_OUT/build-$server.log" 2>&1 \
			|| ka_die "build failed, see $KA_OUT/build-$server.log"
		cp "$built" "$jar"
	done
}

# ka_free_port: prints a TCP port that nothing listens on (and that this script has not
# handed out yet), below the ephemeral range so that client sockets cannot take it.
ka_free_port() {
	local port p used
	for _ in $(seq 1 200); do
		port=$((20000 + RANDOM % 12000))
		used=0
		for p in "${KA_PORTS[@]+"${KA_PORTS[@]}"}"; do [ "$p" = "$port" ] && used=1; done
		[ $used = 1 ] && continue
		if ! ss -Htan "( sport = :$port )" | grep -q .; then
			KA_PORTS+=("$port")
			echo "$port"
			return 0
		fi
	done
	ka_die "no free port found"
}

# ka_track PID: kill PID on exit.
ka_track() {
	KA_PIDS+=("$1")
	# no job-status noise ("Killed") when it is stopped; bash still reaps it
	disown "$1" 2>/dev/null || true
}

# ka_kill PID [SIGNAL] [WAIT_SECONDS]: signals a process (default TERM) and waits for it to
# exit, then kills it.
ka_kill() {
	local pid=$1 sig=${2:-TERM} wait=${3:-10} i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -"$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < wait * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || { { wait "$pid"; } 2>/dev/null || true; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	{ wait "$pid"; } 2>/dev/null || true
}

ka_cleanup() {
	local pid
	trap - EXIT INT TERM
	for pid in "${KA_PIDS[@]+"${KA_PIDS[@]}"}"; do
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
	done
	for pid in "${KA_PIDS[@]+"${KA_PIDS[@]}"}"; do
		{ wait "$pid"; } 2>/dev/null || true
	done
}
trap ka_cleanup EXIT
trap 'exit 130' INT TERM

# ka_start_app NAME SERVER PORT [ARG...]: starts the sample app (tomcat, jetty, or netty: its
# WebFlux variant on Reactor Netty) on 127.0.0.1:PORT in the background, log in
# bench/out/NAME.log; sets KA_PID. Arguments are Spring Boot command-line properties, e.g.
# --keepalive.enabled=false. Does not wait.
ka_start_app() {
	local name=$1 server=$2 port=$3 stack=()
	shift 3
	[ "$server" = netty ] && stack=(--spring.main.web-application-type=reactive)
	# shellcheck disable=SC2086
	java $KA_JAVA_OPTS -jar "$(ka_jar "$server")" --server.address=$KA_HOST --server.port="$port" \
		--spring.main.banner-mode=off ${stack[@]+"${stack[@]}"} "$@" >"$KA_OUT/$name.log" 2>&1 &
	KA_PID=$!
	ka_track "$KA_PID"
}

# ka_wait_ready PID URL [SECONDS]: waits until URL answers 200 (e.g. the readiness probe).
ka_wait_ready() {
	local pid=$1 url=$2 secs=${3:-90} i
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || ka_die "process $pid exited before $url was ready"
		[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)" = 200 ] && return 0
		sleep 0.1
	done
	ka_die "$url not ready after ${secs}s"
}

# ka_run_app NAME SERVER PORT [ARG...]: ka_start_app, then waits for readiness on PORT.
ka_run_app() {
	ka_start_app "$@"
	ka_wait_ready "$KA_PID" "http://$KA_HOST:$3/actuator/health/readiness"
}

# ka_raise_nofile: raises the soft limit of open files to the hard one (65536 if unlimited).
ka_raise_nofile() {
	local hard
	hard=$(ulimit -Hn)
	[ "$hard" = unlimited ] && hard=65536
	ulimit -n "$hard"
}

# ka_rss_kb PID: resident set size in kB.
ka_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# ka_heap_used_kb PID: Java heap used in kB after a full GC.
ka_heap_used_kb() {
	jcmd "$1" GC.run >/dev/null
	jcmd "$1" GC.heap_info | grep -oE 'used [0-9]+K' | head -1 | grep -oE '[0-9]+'
}

# ka_log_epoch_ms FILE PATTERN: epoch milliseconds of the first log line matching PATTERN
# (Spring Boot's default ISO-8601 timestamps), empty if none.
ka_log_epoch_ms() {
	local ts
	ts=$(grep -m1 -- "$2" "$1" | awk '{print $1}' || true)
	[ -n "$ts" ] && date -d "$ts" +%s%3N || true
}

# ka_machine_json: the machine and software facts every result carries.
ka_machine_json() {
	jq -cn --arg kernel "$(uname -r)" --arg cores "$(nproc)" \
		--arg mem "$(awk '/^MemTotal:/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" \
		--arg java "$(java -version 2>&1 | head -1 | sed 's/"//g')" \
		'{kernel:$kernel, cores:($cores|tonumber), memory:$mem, java:$java}'
}

# KA_JQ_CI: jq definitions, ci: the mean of a list of per-pair ratios and the half-width of its
# 95 % confidence interval (Student's t with n-1 degrees of freedom, n up to 30)
# shellcheck disable=SC2034
KA_JQ_CI='def tq: [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
	2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
	2.045][. - 1];
	def ci: length as $n | (add / $n) as $m | {mean: ($m * 1000 | round / 1000), n: $n,
	halfWidth: (if $n < 2 then null else ((map(. - $m | . * .) | add / ($n - 1) | sqrt) / ($n | sqrt)
	* (($n - 1) | tq) * 1000 | round / 1000) end)};'

# ka_wrk_json FILE: the WRKJSON line that bench/wrk/*.lua print in done().
ka_wrk_json() { grep -m1 '^WRKJSON ' "$1" | cut -d' ' -f2-; }
