# Source lines that reach memory the way only device code may, from gcc's
# -fdump-tree-optimized-lineno dump: volatile accesses (`={v}`) and inline asm.
# Prints "FILE:LINE" (FILE as gcc spelled it; the caller normalizes paths).
# `x ={v} {CLOBBER}` only marks the end of a local's lifetime: no access.
/\{CLOBBER/ { next }
/=\{v\}|__asm__/ {
    if (match($0, /\[[^]:]+:[0-9]+:[0-9]+\]/)) {
        loc = substr($0, RSTART + 1, RLENGTH - 2)
        sub(/:[0-9]+$/, "", loc) # drop the column
        print loc
    } else {
        print "?" # no location: the caller treats it as an error
    }
}
