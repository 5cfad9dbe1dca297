# SPDX-License-Identifier: GPL-2.0
#
# gnuplot script for plot.sh: the counted costs of one round trip per
# method (pingpong at 64 B, or the size plot.sh picked), against the IPC
# texts' claim of 4 crossings and 4 copies.  Variables: dat (method,
# system calls, context switches, kernel copies, user copies per round
# trip; "-" where unknown), out, ext, size (a label).

if (ext eq 'png') {
	set terminal pngcairo size 1100,680 enhanced font 'DejaVu Sans,11'
} else {
	set terminal svg size 1100,680 dynamic enhanced font 'DejaVu Sans,11'
}
set output out.'/costs.'.ext
set title 'per round trip, pingpong '.size.': system calls and context switches measured, copies from the mechanism'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set datafile missing '-'
set grid ytics lc rgb '#dddddd'
set key below horizontal
set xtics rotate by -35 nomirror
set ylabel 'per round trip'
set yrange [0:*]
plot dat using 2:xtic(1) lc rgb '#1f77b4' title 'system calls (user/kernel crossings)', \
	'' using 3 lc rgb '#ff7f0e' title 'context switches', \
	'' using 4 lc rgb '#d62728' title 'payload copies by the kernel', \
	'' using 5 lc rgb '#2ca02c' title 'payload copies in userspace', \
	4 with lines lc rgb '#000000' dt 2 lw 2 title 'the texts: 4 crossings, 4 copies'
set output
