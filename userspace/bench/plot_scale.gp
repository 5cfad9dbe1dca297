# SPDX-License-Identifier: GPL-2.0
#
# gnuplot script for plot.sh: the scale pattern (scale.csv).  Variables:
# tmp (data files), out (results directory), ext (png or svg), sc (methods
# with scale data), cpus (the machine's CPUs).

if (ext eq 'png') {
	set terminal pngcairo size 1300,900 enhanced font 'DejaVu Sans,10'
} else {
	set terminal svg size 1300,900 dynamic enhanced font 'DejaVu Sans,10'
}
set output out.'/scaling.'.ext
set multiplot layout 2,2 title "scale: 64 B messages, aggregate over all processes (median, min..max of the rounds);\n".cpus." CPUs: from 2x2 on the processes oversubscribe the CPUs"
set grid xtics ytics mytics lc rgb '#dddddd'
set key top left font ',9'
set format y '%g'
set logscale y

set logscale x 2
set xrange [0.8:10]
set xtics (1, 2, 4, 8)
set xlabel 'producers = consumers (solid: one channel; dashed: one channel per pair)'
set ylabel 'messages/s (higher is better)'
set title 'P x C on one channel, and P pairs'
plot for [i=1:words(sc)] tmp.'/sh_'.word(sc, i).'.dat' using 1:2:3:4 \
	with yerrorlines lt i lw 2 pt i title word(sc, i), \
	for [i=1:words(sc)] tmp.'/pa_'.word(sc, i).'.dat' using 1:2:3:4 \
	with yerrorlines lt i lw 2 dt 2 pt i notitle
set ylabel 'CPU ns per message (lower is better)'
set title 'CPU time per message, all processes'
plot for [i=1:words(sc)] tmp.'/sh_'.word(sc, i).'.dat' using 1:5 \
	with linespoints lt i lw 2 pt i title word(sc, i), \
	for [i=1:words(sc)] tmp.'/pa_'.word(sc, i).'.dat' using 1:5 \
	with linespoints lt i lw 2 dt 2 pt i notitle

set logscale x 10
set xrange [0.7:1500]
set xtics (1, 10, 100, 1000)
set xlabel 'idle channels beside one busy 1x1 pair'
set ylabel 'messages/s (higher is better)'
set title 'idle channels'
plot for [i=1:words(sc)] tmp.'/id_'.word(sc, i).'.dat' using 1:2:3:4 \
	with yerrorlines lt i lw 2 pt i title word(sc, i)
set ylabel 'CPU ns per message (lower is better)'
set title 'idle channels: CPU time per message'
plot for [i=1:words(sc)] tmp.'/id_'.word(sc, i).'.dat' using 1:5 \
	with linespoints lt i lw 2 pt i title word(sc, i)
unset multiplot
set output
