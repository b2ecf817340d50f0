# bench.gp - draws bench.py's plot data (label median min max colour) as
# horizontal bars, median with a min..max whisker, microseconds on a log axis.
# usage: gnuplot -e "datafile='bench.dat'; outfile='bench.png'" bench.gp
set terminal pngcairo size 1100,720 noenhanced font "DejaVu Sans,10"
set output outfile
set title "testcage bench: microseconds per test case (per call for CLI and start-up rows)"
set logscale x
set xrange [1:*]
set format x "%.0f"
set xlabel "microseconds (log scale); bar = median, whisker = min..max over repetitions"
set yrange [-0.7:*] reverse
set ytics nomirror
set grid xtics
set key off
set style fill solid 0.75 border -1
h = 0.35
plot datafile using (sqrt($2)):0:(1):($2):($0-h):($0+h):5:ytic(1) \
         with boxxyerror lc variable, \
     datafile using 2:0:3:4 with xerrorbars lc rgb "black" pt -1, \
     datafile using ($4*1.15):0:(sprintf("%.0f", $2)) with labels left font ",9"
