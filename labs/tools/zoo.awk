# SPDX-License-Identifier: GPL-2.0
#
# Resolve the bug-zoo regions of a source file: the correct code of every
# bug, or the broken code of one.  labs/tools/handout.sh runs it on every
# file before strip.awk, so no handout keeps a ZOO marker.
#
# usage: awk [-v bug=NAME] -f zoo.awk FILE > OUT
#
# A region of bug NAME (kernel C), written like a lab region:
#
#	/* ZOO BEGIN NAME: one line for the instructor (never handed out) */
#	...the correct code, compiled and tested like the rest...
#	/*
#	 * ZOO BROKEN NAME
#	 *	the broken code (after one tab), may be empty
#	 * ZOO END NAME
#	 */
#
# or, when the broken code is nothing at all, "/* ZOO END NAME */" right
# after the correct code.  Without -v bug (or for another bug's regions)
# the correct code stays and the markers go; with bug=NAME, NAME's regions
# become their broken code at the BEGIN line's indentation.  A bug may have
# several regions (a missing get and its missing put).  The broken code
# cannot hold a comment (it sits inside one).  Regions do not nest in each
# other; they may sit inside a lab's solution (strip.awk runs after this).
# Exits 1 on a malformed region.
function indent_of(s) { match(s, /^[ \t]*/); return substr(s, 1, RLENGTH) }
BEGIN { state = "code"; bad = 0 }
{
	line = $0
	if (state == "code" && match(line, /ZOO BEGIN [A-Za-z0-9_.-]+:?/)) {
		tag = substr(line, RSTART, RLENGTH)
		split(tag, w, " "); name = w[3]; sub(/:$/, "", name)
		ind = indent_of(line); start = NR
		if (line !~ /\*\/[ \t]*$/) {
			print FILENAME ":" NR ": a ZOO BEGIN marker is a one-line comment" > "/dev/stderr"
			bad = 1
		}
		state = "correct"; held = ""; next
	}
	if (state == "correct" && line ~ ("ZOO BROKEN " name "([^A-Za-z0-9_.-]|$)")) {
		# The "/*" opening the BROKEN comment was held back: drop it.
		held = ""
		state = "broken"; next
	}
	if ((state == "correct" || state == "broken") &&
	    line ~ ("ZOO END " name "([^A-Za-z0-9_.-]|$)")) {
		if (held != "" && name != bug) print held
		held = ""
		# The closing " */" of a BROKEN comment follows the END line.
		state = (line ~ /\*\/[ \t]*$/) ? "code" : "close"
		next
	}
	if (state == "close") {
		if (line !~ /^[ \t]*\*\/[ \t]*$/) {
			print FILENAME ":" NR ": expected */ after ZOO END " name > "/dev/stderr"
			bad = 1
		}
		state = "code"; next
	}
	if (state == "correct") {
		if (line ~ /ZOO (BEGIN|BROKEN|END) /) {
			print FILENAME ":" NR ": ZOO marker inside " name "'s region: " line > "/dev/stderr"
			bad = 1
		}
		# A line "/*" alone may open the BROKEN comment: hold it back.
		if (held != "" && name != bug) print held
		held = ""
		if (line ~ /^[ \t]*\/\*[ \t]*$/) { held = line; next }
		if (name != bug) print line
		next
	}
	if (state == "broken") {
		if (name == bug) {
			s = line
			if (sub(/^[ \t]*\*\t/, "", s))
				print ind s
			else if (s ~ /^[ \t]*\*?[ \t]*$/)
				print ""
			else {
				print FILENAME ":" NR ": broken line without '*<tab>'" > "/dev/stderr"
				bad = 1
			}
		}
		next
	}
	if (line ~ /ZOO (BROKEN|END) /) {
		print FILENAME ":" NR ": ZOO marker outside a region: " line > "/dev/stderr"
		bad = 1
	}
	print line
}
END {
	if (state != "code") {
		print FILENAME ":" start ": ZOO BEGIN " name " is not closed" > "/dev/stderr"
		bad = 1
	}
	exit bad
}
