# SPDX-License-Identifier: GPL-2.0
#
# gnuplot script for plot.sh.  Variables: tmp (data files), out (results
# directory), ext (png or svg), pp / st (space-separated method names with
# pingpong / stream data), pp99 (those with a p99, n >= 1000).

if (ext eq 'png') {
	set terminal pngcairo size 1100,700 enhanced font 'DejaVu Sans,11'
} else {
	set terminal svg size 1100,700 dynamic enhanced font 'DejaVu Sans,11'
}
set logscale xy
set grid xtics ytics mxtics mytics lc rgb '#dddddd'
set key outside right top
set xlabel 'message size'
set xtics ('8 B' 8, '64 B' 64, '512 B' 512, '4 KiB' 4096, \
	   '64 KiB' 65536, '1 MiB' 1048576)
set format y '%g'

# one point type and colour per method, stable between plots
method_lt(m) = (m eq 'pipe') ? 1 : (m eq 'fifo') ? 2 : (m eq 'unix-stream') ? 3 : \
	(m eq 'unix-dgram') ? 4 : (m eq 'unix-seqpacket') ? 5 : (m eq 'tcp') ? 6 : \
	(m eq 'posix-mq') ? 7 : (m eq 'sysv-msg') ? 8 : (m eq 'shm-futex') ? 9 : \
	(m eq 'ipcchan-ioctl') ? 10 : (m eq 'ipcchan-batch') ? 11 : \
	(m eq 'ipcchan-ring') ? 12 : (m eq 'ipcchan-ring-zc') ? 13 : 14
set linetype 1 lc rgb '#1f77b4'
set linetype 2 lc rgb '#aec7e8'
set linetype 3 lc rgb '#ff7f0e'
set linetype 4 lc rgb '#ffbb78'
set linetype 5 lc rgb '#8c564b'
set linetype 6 lc rgb '#7f7f7f'
set linetype 7 lc rgb '#9467bd'
set linetype 8 lc rgb '#c5b0d5'
set linetype 9 lc rgb '#2ca02c'
set linetype 10 lc rgb '#e377c2'
set linetype 11 lc rgb '#bcbd22'
set linetype 12 lc rgb '#d62728'
set linetype 13 lc rgb '#17becf'
set linetype 14 lc rgb '#000000'
ipc(m) = (m[1:7] eq 'ipcchan') ? 3 : 1.5

if (strlen(pp) > 0) {
	set ylabel 'round trip p50 (µs)'
	set title 'pingpong: round-trip latency p50 vs message size (lower is better)'
	set output out.'/latency_p50.'.ext
	plot for [m in pp] tmp.'/pp_'.m.'.dat' using 1:($2/1000) \
		with linespoints lt method_lt(m) lw ipc(m) pt method_lt(m) title m
}
# p99 only for methods with cells of n >= 1000 (pp99)
if (strlen(pp99) > 0) {
	set ylabel 'round trip p99 (µs)'
	set title 'pingpong: round-trip latency p99 vs message size (lower is better; cells with n >= 1000)'
	set output out.'/latency_p99.'.ext
	plot for [m in pp99] tmp.'/pp_'.m.'.dat' using 1:($3/1000) \
		with linespoints lt method_lt(m) lw ipc(m) pt method_lt(m) title m
}
if (strlen(st) > 0) {
	set ylabel 'throughput (MiB/s)'
	set title 'stream: one-way throughput vs message size (higher is better)'
	set output out.'/throughput.'.ext
	plot for [m in st] tmp.'/st_'.m.'.dat' using 1:($2/1048576) \
		with linespoints lt method_lt(m) lw ipc(m) pt method_lt(m) title m, \
		tmp.'/memcpy.dat' using 1:($2/1048576) with lines \
		lc rgb '#000000' dt 2 lw 1.5 title 'memcpy (1 thread)'
	set ylabel 'messages/s'
	set title 'stream: messages per second vs message size (higher is better)'
	set output out.'/msgrate.'.ext
	plot for [m in st] tmp.'/st_'.m.'.dat' using 1:3 \
		with linespoints lt method_lt(m) lw ipc(m) pt method_lt(m) title m
}
set output
