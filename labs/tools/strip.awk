# SPDX-License-Identifier: GPL-2.0
#
# Turn a source file with lab markers into the student's version of it.
#
# usage: awk -v lab=N -f strip.awk FILE > OUT
#
# A region of lab N, in C (kernel style) or in a shell/make file (# lines):
#
#	/* LAB4 BEGIN poll: one line of hint for the student */
#	...the solution...
#	/*
#	 * LAB4 STUB poll
#	 *	what the student starts from (one tab after the star)
#	 * LAB4 END poll
#	 */
#
# becomes, at the BEGIN line's indentation:
#
#	/* TODO lab 4 (poll): one line of hint for the student */
#	what the student starts from
#
# A region may have no STUB part ("/* LAB4 END poll */" right after the
# solution): then only the TODO line stays.  Markers of other labs are
# dropped and their solutions kept, so every lab's handout is the real,
# working code except its own regions.  Exits 1 on a malformed region (an
# unterminated one, an END without BEGIN, a name that does not match).
function indent_of(s) { match(s, /^[ \t]*/); return substr(s, 1, RLENGTH) }
BEGIN { state = "code"; bad = 0 }
{
	line = $0
	if (state == "code" && match(line, /LAB[0-9]+ BEGIN [A-Za-z0-9_.-]+:?/)) {
		tag = substr(line, RSTART, RLENGTH)
		split(tag, w, " "); n = substr(w[1], 4); name = w[3]; sub(/:$/, "", name)
		hint = substr(line, RSTART + RLENGTH); sub(/^ */, "", hint)
		sub(/ *\*\/ *$/, "", hint)
		ind = indent_of(line); start = NR
		if (line !~ /\*\/[ \t]*$/ && line !~ /^[ \t]*#/) {
			print FILENAME ":" NR ": a BEGIN marker is a one-line comment" > "/dev/stderr"
			bad = 1
		}
		if (n == lab) {
			cmt = (line ~ /^[ \t]*#/) ? "# " : "/* "
			end = (cmt == "/* ") ? " */" : ""
			print ind cmt "TODO lab " n " (" name "): " hint end
		}
		state = "solution"; next
	}
	if (state == "solution" && line ~ ("LAB" n " STUB " name "([^A-Za-z0-9_.-]|$)")) {
		# The "/*" opening the STUB comment was printed as solution: undo.
		held = ""
		state = "stub"; next
	}
	if ((state == "solution" || state == "stub") &&
	    line ~ ("LAB" n " END " name "([^A-Za-z0-9_.-]|$)")) {
		if (held != "" && n != lab) print held
		held = ""
		# The closing " */" of a STUB comment follows the END line.
		state = (line ~ /\*\/[ \t]*$/ || line ~ /^[ \t]*#/) ? "code" : "close"
		next
	}
	if (state == "close") {
		if (line !~ /^[ \t]*\*\/[ \t]*$/) {
			print FILENAME ":" NR ": expected */ after LAB" n " END " name > "/dev/stderr"
			bad = 1
		}
		state = "code"; next
	}
	if (state == "solution") {
		# A line "/*" alone may open the STUB comment: hold it back.
		if (held != "" && n != lab) print held
		held = ""
		if (line ~ /^[ \t]*\/\*[ \t]*$/) { held = line; next }
		if (n != lab) print line
		next
	}
	if (state == "stub") {
		if (n == lab) {
			s = line
			if (sub(/^[ \t]*\*\t/, "", s) || sub(/^[ \t]*# ?\t/, "", s))
				print ind s
			else if (s ~ /^[ \t]*\*?[ \t]*$/ || s ~ /^[ \t]*#[ \t]*$/)
				print ""
			else {
				print FILENAME ":" NR ": stub line without '*<tab>'" > "/dev/stderr"
				bad = 1
			}
		}
		next
	}
	if (line ~ /LAB[0-9]+ (STUB|END) /) {
		print FILENAME ":" NR ": marker outside a region: " line > "/dev/stderr"
		bad = 1
	}
	print line
}
END {
	if (state != "code") {
		print FILENAME ":" start ": LAB" n " BEGIN " name " is not closed" > "/dev/stderr"
		bad = 1
	}
	exit bad
}
