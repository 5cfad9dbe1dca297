#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# plot.sh RESULTS_DIR: turn RESULTS_DIR/bench.csv (and bench.json for the
# memcpy reference) from ipcchan-bench into log-log plots, one line per
# method, as PNG and SVG in RESULTS_DIR:
#
#   latency_p50.{png,svg}   pingpong round trip p50 vs message size
#   latency_p99.{png,svg}   pingpong round trip p99 vs message size
#   throughput.{png,svg}    stream bytes/s vs message size (+ memcpy)
#   msgrate.{png,svg}       stream messages/s vs message size
#   costs.{png,svg}         system calls, context switches and copies per
#                           round trip (pingpong 64 B) against the texts'
#                           4 crossings and 4 copies
#   sweep_throughput, crossover, scaling: see plot_extra.sh
#
# Needs gnuplot (Debian: gnuplot-nox).
set -eu

usage() {
	echo "usage: $0 RESULTS_DIR" >&2
	exit 2
}

[ $# -eq 1 ] || usage
case "$1" in -h|--help) echo "usage: $0 RESULTS_DIR"; exit 0 ;; esac
dir=$1
csv=$dir/bench.csv
[ -r "$csv" ] || { echo "$0: no $csv (run ipcchan-bench --out $dir)" >&2; exit 1; }
command -v gnuplot >/dev/null 2>&1 ||
	{ echo "$0: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One data file per method and pattern: size p50 p99 / size bytes/s msgs/s.
# Columns: method,pattern,size,status,iterations,rtt_min,p50,p90,p99,...,
# msgs_per_s (13), bytes_per_s (14).  Only "ok" rows (no quoted commas).
awk -F, -v tmp="$tmp" 'NR > 1 && $4 == "ok" {
	if ($2 == "pingpong") {
		print $3, $7, $9 > (tmp "/pp_" $1 ".dat")
		# p99 is empty below n = 1000 (ipcchan-bench shows none there)
		if ($9 != "" && !(("p99", $1) in seen)) {
			seen["p99", $1] = 1
			list["p99"] = list["p99"] " " $1
		}
	}
	else
		print $3, $14, $13 > (tmp "/st_" $1 ".dat")
	if (!(($2, $1) in seen)) {
		seen[$2, $1] = 1
		list[$2] = list[$2] " " $1
	}
} END {
	print list["pingpong"] > (tmp "/pp.list")
	print list["p99"] > (tmp "/pp99.list")
	print list["stream"] > (tmp "/st.list")
}' "$csv"

# memcpy reference from bench.json: "memcpy_bytes_per_s": {"8": v, ...}
if [ -r "$dir/bench.json" ]; then
	grep -o '"memcpy_bytes_per_s": {[^}]*}' "$dir/bench.json" |
		sed 's/.*{//; s/}//' | tr ',' '\n' |
		sed 's/[" ]//g; s/:/ /' | awk 'NF == 2' | sort -n \
		> "$tmp/memcpy.dat" || true
fi
[ -s "$tmp/memcpy.dat" ] || echo "" > "$tmp/memcpy.dat"

pp=$(cat "$tmp/pp.list")
pp99=$(cat "$tmp/pp99.list")
st=$(cat "$tmp/st.list")
for t in png svg; do
	gnuplot -e "tmp='$tmp'; out='$dir'; ext='$t'; pp='$pp'; pp99='$pp99'; st='$st'" \
		"$here/plot.gp"
done
# Counted costs per round trip at 64 B (else the smallest size): columns
# by name, since later ones were added over time.
size=$(awk -F, 'NR > 1 && $2 == "pingpong" && $4 == "ok" { print $3 }' "$csv" |
	sort -n | awk '$1 == 64 { f = 64 } NR == 1 { s = $1 } END { print f ? f : s }')
if [ -n "$size" ]; then
	awk -F, -v size="$size" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$2 == "pingpong" && $3 == size && $4 == "ok" {
		n = split("syscalls_per_msg ctx_switches_per_msg kernel_copies_per_msg user_copies_per_msg", k, " ")
		printf "%s", $1
		for (i = 1; i <= n; i++) {
			v = (k[i] in c) ? $(c[k[i]]) : ""
			printf " %s", v == "" ? "-" : 2 * v
		}
		printf "\n"
	}' "$csv" >"$tmp/costs.dat"
	for t in png svg; do
		[ -s "$tmp/costs.dat" ] && gnuplot -e "dat='$tmp/costs.dat'; out='$dir'; ext='$t'; size='$size B'" \
			"$here/costs.gp"
	done
fi
for f in latency_p50 latency_p99 throughput msgrate costs; do
	for t in png svg; do
		[ -s "$dir/$f.$t" ] && echo "$dir/$f.$t"
	done
done
# --pattern sweep and scale: sweep_throughput, crossover, scaling
"$here/plot_extra.sh" "$dir"
exit 0
