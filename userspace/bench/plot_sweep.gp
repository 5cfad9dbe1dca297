# SPDX-License-Identifier: GPL-2.0
#
# gnuplot script for plot.sh: the large-transfer sweep (sweep.csv) and the
# crossover of mapping over copying (crossover.csv).  Variables: tmp (data
# files), out (results directory), ext (png or svg), sw (methods with sweep
# data), xo (mapping_over_copying pairs with crossover data).

if (ext eq 'png') {
	set terminal pngcairo size 1100,700 enhanced font 'DejaVu Sans,11'
} else {
	set terminal svg size 1100,700 dynamic enhanced font 'DejaVu Sans,11'
}
set logscale xy
set grid xtics ytics mxtics mytics lc rgb '#dddddd'
set key outside right top
set xlabel 'message size'
set xtics ('4 KiB' 4096, '16 KiB' 16384, '64 KiB' 65536, '256 KiB' 262144, \
	   '1 MiB' 1048576, '4 MiB' 4194304, '16 MiB' 16777216)
set format y '%g'
ipc(m) = (m[1:7] eq 'ipcchan') ? 3 : 1.5

if (strlen(sw) > 0) {
	set ylabel 'throughput (MiB/s)'
	set title "large transfers: stream throughput vs size, median and min..max of the rounds\n(higher is better)"
	set output out.'/sweep_throughput.'.ext
	plot for [i=1:words(sw)] tmp.'/sw_'.word(sw, i).'.dat' \
		using 1:($2/1048576):($3/1048576):($4/1048576) \
		with yerrorlines lt i lw ipc(word(sw, i)) pt i title word(sw, i), \
		tmp.'/sw_memcpy.dat' using 1:($2/1048576) with lines \
		lc rgb '#000000' dt 2 lw 1.5 title 'memcpy (1 thread)'
}
if (strlen(xo) > 0) {
	set ylabel 'throughput ratio, mapping / copying'
	set title "crossover: where mapping beats copying (paired per-round ratios, median and min..max;\nabove 1: mapping wins; x marks the crossover estimate, its bar the interval, drawn just below 1)"
	set output out.'/crossover.'.ext
	set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb '#000000' dt 2
	plot for [i=1:words(xo)] tmp.'/xo_'.word(xo, i).'.dat' using 1:2:3:4 \
		with yerrorlines lt i lw 2 pt i title word(xo, i) noenhanced, \
		for [i=1:words(xo)] tmp.'/xe_'.word(xo, i).'.dat' \
		using 1:($2 * 0.9**i):3:4 \
		with xerrorbars lt i pt 2 ps 2.5 lw 2 notitle
}
set output
