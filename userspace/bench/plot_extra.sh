#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# plot_extra.sh RESULTS_DIR: the plots of ipcchan-bench --pattern sweep and
# --pattern scale, as PNG and SVG in RESULTS_DIR, from the CSV files those
# patterns write there (plot.sh calls this; nothing to do without them):
#
#   sweep_throughput.{png,svg}  sweep.csv: stream MiB/s vs size, + memcpy
#   crossover.{png,svg}         crossover.csv: mapping/copying ratio vs size
#   scaling.{png,svg}           scale.csv: msgs/s and CPU ns per message vs
#                               producers x consumers, pairs, idle channels
#
# Needs gnuplot (Debian: gnuplot-nox).
set -eu

[ $# -eq 1 ] || { echo "usage: $0 RESULTS_DIR" >&2; exit 2; }
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
[ -r "$dir/sweep.csv" ] || [ -r "$dir/scale.csv" ] || exit 0
command -v gnuplot >/dev/null 2>&1 ||
	{ echo "$0: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
made=

if [ -r "$dir/sweep.csv" ]; then
	# method,size,status,rounds,bytes_per_s,min,max,...
	sw=$(awk -F, -v tmp="$tmp" 'NR > 1 && $3 == "ok" {
		print $2, $5, $6, $7 > (tmp "/sw_" $1 ".dat")
		if ($1 != "memcpy" && !($1 in seen)) { seen[$1] = 1; l = l " " $1 }
	} END { print l }' "$dir/sweep.csv")
	[ -s "$tmp/sw_memcpy.dat" ] || echo "" > "$tmp/sw_memcpy.dat"
	# mapping,copying,size,rounds,median,min,max,verdict,state,est,lo,hi
	xo=
	if [ -r "$dir/crossover.csv" ]; then
		xo=$(awk -F, -v tmp="$tmp" 'NR > 1 && $8 != "n/a" {
			k = $1 "_over_" $2
			print $3, $5, $6, $7 > (tmp "/xo_" k ".dat")
			if (!(k in seen)) { seen[k] = 1; l = l " " k; first[k] = $3 }
			if (($9 == "crossover" || $9 == "mapping-always") && !(k in est)) {
				est[k] = 1
				lo = $11 > 0 ? $11 : first[k] / 2
				print $10, 1, lo, $12 > (tmp "/xe_" k ".dat")
			}
		} END { print l }' "$dir/crossover.csv")
		for k in $xo; do
			[ -s "$tmp/xe_$k.dat" ] || echo "" > "$tmp/xe_$k.dat"
		done
	fi
	for t in png svg; do
		gnuplot -e "tmp='$tmp'; out='$dir'; ext='$t'; sw='$sw'; xo='$xo'" \
			"$here/plot_sweep.gp"
	done
	made="$made sweep_throughput crossover"
fi

if [ -r "$dir/scale.csv" ]; then
	# mode,n,...,cpus(8),method(9),status(10),...,msgs(12),min,max,cpu_ns(15)
	sc=$(awk -F, -v tmp="$tmp" 'NR > 1 && $10 == "ok" {
		row = $2 " " $12 " " $13 " " $14 " " $15
		if ($1 == "shared") {
			print row > (tmp "/sh_" $9 ".dat")
			if ($2 == 1)	# 1x1 on one channel is one pair
				print row > (tmp "/pa_" $9 ".dat")
		} else if ($1 == "pairs") {
			print row > (tmp "/pa_" $9 ".dat")
		} else {
			print row > (tmp "/id_" $9 ".dat")
		}
		if (!($9 in seen)) { seen[$9] = 1; l = l " " $9 }
	} END { print l }' "$dir/scale.csv")
	cpus=$(awk -F, 'NR == 2 { print $8 }' "$dir/scale.csv")
	for m in $sc; do
		for p in sh pa id; do
			[ -s "$tmp/${p}_$m.dat" ] || echo "" > "$tmp/${p}_$m.dat"
		done
	done
	if [ -n "$sc" ]; then
		for t in png svg; do
			gnuplot -e "tmp='$tmp'; out='$dir'; ext='$t'; sc='$sc'; cpus='$cpus'" \
				"$here/plot_scale.gp"
		done
		made="$made scaling"
	fi
fi

for f in $made; do
	for t in png svg; do
		[ -s "$dir/$f.$t" ] && echo "$dir/$f.$t"
	done
done
exit 0
